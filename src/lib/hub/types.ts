/** Types shared by the Hub client, the variant grouping and the fit estimate. */

/** One file of a model repo, as listed by the Hub tree / `?blobs=true` APIs. */
export interface HubFile {
	path: string;
	size: number;
	/** The LFS object id (SHA-256 of the content); null for files not stored in LFS. */
	sha256: string | null;
	/** The git blob id. */
	oid: string;
}

/** One downloadable quantization of a model: a single file, or the shards of a split GGUF. */
export interface ModelVariant {
	/** Stable id within the repo: the file path without `.gguf`, or the shard prefix. */
	key: string;
	/** What people call it, e.g. `Q4_K_M`, `UD-Q4_K_XL`; the file stem when no quant is named. */
	label: string;
	/** The quantization type (`Q4_K_M`, `Q4_K_XL`, `F16` …) without `UD-`; null when unknown. */
	quant: string | null;
	/** Shard order (1 … N). */
	files: HubFile[];
	totalBytes: number;
	shardCount: number;
	bitsPerWeight: number | null;
	recommended: boolean;
	/** A legacy (non-K) type that wllama's wasm runs without SIMD: about half the speed. */
	legacy: boolean;
}

export type GatedMode = false | 'auto' | 'manual';

/** A search result card. */
export interface ModelSummary {
	id: string;
	author: string;
	downloads: number;
	likes: number;
	lastModified: string | null;
	gated: GatedMode;
	private: boolean;
	pipelineTag: string | null;
	tags: string[];
	/** Total parameter count from the Hub's `gguf` block, when known. */
	parameterCount: number | null;
	contextLength: number | null;
	architecture: string | null;
}

/** `/api/models/{id}` with `blobs=true`. */
export interface ModelInfo extends ModelSummary {
	/** The commit every file link is pinned to. */
	sha: string;
	license: string | null;
	cardData: Record<string, unknown> | null;
	files: HubFile[];
}

export type SearchSort = 'downloads' | 'likes' | 'trendingScore' | 'lastModified';

export interface SearchQuery {
	search: string;
	ggufOnly: boolean;
	/** Pipeline tag, e.g. `text-generation`; empty for any. */
	task: string;
	sort: SearchSort;
	limit?: number;
}

export interface SearchPage {
	models: ModelSummary[];
	/** Absolute URL of the next page (from the `Link` header); null at the end. */
	next: string | null;
	/** True when served from the offline cache. */
	cached: boolean;
	storedAt?: number;
}

/** What the page shows about a GGUF file before downloading it (from its header). */
export interface GgufSummary {
	architecture: string | null;
	name: string | null;
	parameterCount: number | null;
	contextLength: number | null;
	embeddingLength: number | null;
	blockCount: number | null;
	headCount: number | null;
	headCountKv: number | null;
	/** Per-head key/value sizes (`attention.key_length`), defaulting to embedding / heads. */
	headDimK: number | null;
	headDimV: number | null;
	vocabSize: number | null;
	feedForwardLength: number | null;
	hasChatTemplate: boolean;
	tokenizerModel: string | null;
	fileType: string | null;
	/** `split.count` when the file is a shard. */
	splitCount: number | null;
	tensorCount: number;
	/**
	 * The share of the weights only looked up per token, never multiplied: the token embeddings of a
	 * model with a separate output matrix (0 when they are tied to it); null when a shard cannot say.
	 */
	lookupOnlyShare?: number | null;
	/** The largest tensor in bytes (for WebGPU binding limits); null when unknown. */
	largestTensorBytes: number | null;
}

export interface Cached<T> {
	value: T;
	cached: boolean;
	storedAt?: number;
}
