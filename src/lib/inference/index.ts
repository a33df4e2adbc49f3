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
export {
	chooseContextSize,
	contextSizeChoices,
	CONTEXT_SIZE_STEPS,
	DEFAULT_CHAT_CONTEXT_SIZE,
	FALLBACK_CONTEXT_SIZE
} from './context-size';
export { readGgufContextLength, readModelContextLength } from './gguf-header';
export { engineError } from './errors';
export { formatFallbackPrompt } from './prompt';
export { BACKEND_LABELS, DEFAULT_SAMPLING } from './types';
export { calibrate } from './speed-calibration';
export {
	SLOW_TOKENS_PER_SECOND,
	floatSpeedNote,
	formatSpeed,
	predictDecodeSpeed,
	weightFamily
} from './speed-prediction';
export type { SpeedInput, SpeedPrediction } from './speed-prediction';
export {
	CALIBRATION_SETTING_KEY,
	calibrationBackend,
	loadOrCalibrate,
	readCalibration
} from './speed-calibration-store';
export type { StoredCalibration } from './speed-calibration-store';
export { DEFAULT_TUNING } from './tuning';
export type { LlamaTuning } from './tuning';
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
