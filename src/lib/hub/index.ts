/** Hugging Face Hub: search, model info, files grouped into quant variants, GGUF headers, fit estimates. */
export type {
	Cached,
	GatedMode,
	GgufSummary,
	HubFile,
	ModelInfo,
	ModelSummary,
	ModelVariant,
	SearchPage,
	SearchQuery,
	SearchSort
} from './types';
export {
	isLegacyQuant,
	LEGACY_REASON,
	nominalBitsPerWeight,
	parseQuantLabel,
	quantRank,
	quantSpeedNote,
	type QuantLabel
} from './quant';
export { groupVariants, isIncomplete, recommendVariant, RECOMMENDED_ORDER } from './variants';
export {
	estimateFit,
	GiB,
	kvCacheBytes,
	MiB,
	overheadBytes,
	VERDICT_LABEL,
	WASM32_MAX_BYTES,
	WASM64_MAX_BYTES,
	type CheckStatus,
	type DeviceLimits,
	type FitCheck,
	type FitEstimate,
	type FitInput,
	type FitVerdict,
	type ModelShape
} from './fit';
export { shapeFromSummary, summarizeGguf } from './gguf-summary';
export { assertRepoId, encodePath, encodeRevision, isValidRepoId } from './repo-id';
export {
	HubClient,
	nextLink,
	SEARCH_PAGE_SIZE,
	stripFrontMatter,
	type CallOptions,
	type HubClientOptions,
	type RepoAccess
} from './client';
export { idbHubCache, memoryHubCache, type HubCache, type HubCacheEntry } from './cache';
export {
	DEFAULT_RETRY_AFTER_SECONDS,
	errorFromResponse,
	networkError,
	retryAfterSeconds
} from './errors';
export { probeDeviceLimits, supportsMemory64 } from './device';
