export { InferenceEngine, DEFAULT_CONTEXT_SIZE, DEFAULT_LOAD_TIMEOUT_MS } from './engine';
export type { EngineDependencies } from './engine';
export {
	planBackend,
	probeEnvironment,
	chooseThreads,
	fitsGpu,
	SMALL_MODEL_BYTES,
	MAX_THREADS
} from './backend';
export { engineError } from './errors';
export { formatFallbackPrompt } from './prompt';
export { BACKEND_LABELS, DEFAULT_SAMPLING } from './types';
export type {
	Backend,
	BackendPlan,
	BackendPreference,
	ChatTurn,
	EnvironmentProbe,
	GenerateOptions,
	GenerationEvent,
	GenerationStats,
	LoadOptions,
	LoadedModel,
	SamplingSettings
} from './types';
