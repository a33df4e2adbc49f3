/**
 * llama.cpp's runtime knobs that change speed, and the values the app loads models with. Chosen
 * from `npm run bench:inference`'s one-knob-at-a-time sweep (figures in the README): change a
 * default here only with a bench run that shows it winning.
 */

export type KvCacheType = 'f16' | 'q8_0';

export interface LlamaTuning {
	/** Logical batch: prompt tokens handed to llama.cpp per decode call (llama.cpp default 2048). */
	nBatch?: number;
	/** Physical batch: tokens per compute graph (llama.cpp default 512). */
	nUbatch?: number;
	/** Flash attention: undefined leaves llama.cpp's "auto" (on where the backend supports it). */
	flashAttention?: boolean;
	/** K and V cache element type (default f16; q8_0 halves the cache and needs flash attention). */
	kvCacheType?: KvCacheType;
}

/** What the app uses: llama.cpp's own defaults won or tied every other setting in the sweep. */
export const DEFAULT_TUNING: Readonly<LlamaTuning> = Object.freeze({});

/** The part of wllama's `loadModel` parameters a tuning sets (only what it sets). */
export function wllamaTuningParams(tuning: LlamaTuning): {
	n_batch?: number;
	n_ubatch?: number;
	flash_attn?: boolean;
	cache_type_k?: KvCacheType;
	cache_type_v?: KvCacheType;
} {
	const params: ReturnType<typeof wllamaTuningParams> = {};
	if (tuning.nBatch !== undefined) params.n_batch = tuning.nBatch;
	if (tuning.nUbatch !== undefined) params.n_ubatch = tuning.nUbatch;
	if (tuning.flashAttention !== undefined) params.flash_attn = tuning.flashAttention;
	if (tuning.kvCacheType !== undefined) {
		params.cache_type_k = tuning.kvCacheType;
		params.cache_type_v = tuning.kvCacheType;
	}
	return params;
}
