/**
 * llama.cpp's runtime knobs that change speed, and the values the app loads models with. Chosen
 * from `npm run bench:inference`'s one-knob-at-a-time sweep (figures in the README): change a
 * default here only with a bench run that shows it winning.
 */

import type { Backend } from './types';

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

/**
 * What the app uses: a q8_0 KV cache (decode ×1.18–1.20 over f16 on the 107M Q4_K model in two
 * runs, prefill ×0.95–1.0, half the cache memory); llama.cpp's own defaults won or tied every other
 * setting in the sweep (figures in the README).
 */
export const DEFAULT_TUNING: Readonly<LlamaTuning> = Object.freeze({ kvCacheType: 'q8_0' });

/**
 * The tuning a model loads with on `backend`: the defaults were measured on the CPU only, so the
 * WebGPU backend keeps llama.cpp's f16 cache until a GPU run says otherwise.
 */
export function defaultTuningFor(backend: Backend): Readonly<LlamaTuning> {
	if (backend !== 'webgpu') return DEFAULT_TUNING;
	const { kvCacheType: _cpuOnly, ...rest } = DEFAULT_TUNING;
	return rest;
}

/** q8_0 packs 32 elements per block: a cache row (one head) must hold whole blocks. */
const Q8_0_BLOCK = 32;

/**
 * `tuning` for a model with these head sizes: llama.cpp refuses to create a q8_0 cache for heads
 * that are not a multiple of 32 wide (stories260K's are 8), so such a model, or one whose header
 * does not say, gets llama.cpp's f16 cache.
 */
export function fitTuningToModel(
	tuning: Readonly<LlamaTuning>,
	headDims: { k: number; v: number } | null
): Readonly<LlamaTuning> {
	if (tuning.kvCacheType !== 'q8_0') return tuning;
	if (headDims && headDims.k % Q8_0_BLOCK === 0 && headDims.v % Q8_0_BLOCK === 0) return tuning;
	const { kvCacheType: _unfit, ...rest } = tuning;
	return rest;
}

/** Bytes per K or V element: f16 2, q8_0 34 bytes per block of 32. */
const KV_BYTES_PER_ELEMENT: Record<KvCacheType, number> = { f16: 2, q8_0: 34 / 32 };

/** Bytes per KV cache element with `tuning` (llama.cpp's f16 when it sets none). */
export function kvBytesPerElement(tuning: LlamaTuning = DEFAULT_TUNING): number {
	return KV_BYTES_PER_ELEMENT[tuning.kvCacheType ?? 'f16'];
}

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
