import { describe, expect, test } from 'vitest';
import {
	estimateFit,
	GiB,
	kvCacheBytes,
	MiB,
	overheadBytes,
	type DeviceLimits,
	type ModelShape
} from './fit';

/** Qwen2.5-Coder-7B-Instruct: 28 layers, 28 heads, 4 KV heads, head dim 128, embd 3584, vocab 152064. */
const QWEN_7B: ModelShape = {
	nLayer: 28,
	nHeadKv: 4,
	headDimK: 128,
	headDimV: 128,
	nEmbd: 3584,
	nVocab: 152_064
};
/** Q4_K_M file size on the Hub (qwen2.5-coder-7b-instruct-q4_k_m.gguf). */
const QWEN_7B_Q4_K_M = 4_683_073_952;

const roomy: DeviceLimits = {
	deviceMemoryBytes: 32 * GiB,
	deviceMemoryCapped: false,
	memory64: true,
	webgpu: null,
	storageFreeBytes: 100 * GiB
};

describe('kv cache', () => {
	test('Qwen2.5-Coder-7B at 4k: 28 × 4 × 128 × 4096 × 2 (K,V) × 2 bytes = 224 MiB', () => {
		expect(kvCacheBytes(QWEN_7B, 4096)).toBe(28 * 4 * 128 * 4096 * 2 * 2);
		expect(kvCacheBytes(QWEN_7B, 4096)).toBe(224 * MiB);
	});

	test('Qwen2.5-Coder-7B at 32k: 1.75 GiB', () => {
		expect(kvCacheBytes(QWEN_7B, 32_768)).toBe(1.75 * GiB);
	});

	test('q8 cache halves it', () => {
		expect(kvCacheBytes(QWEN_7B, 32_768, 1)).toBe(0.875 * GiB);
	});
});

describe('estimateFit', () => {
	test('Qwen2.5-Coder-7B Q4_K_M at 4k on a roomy machine fits with the numbers behind it', () => {
		const fit = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 4096, kvBytesPerElement: 2 },
			roomy
		);
		const overhead = 64 * MiB + 512 * (152_064 + 4 * 3584) * 4;
		expect(fit.overheadBytes).toBe(overhead);
		expect(overheadBytes(QWEN_7B)).toBe(overhead);
		expect(fit.kvCacheBytes).toBe(224 * MiB);
		expect(fit.kvExact).toBe(true);
		expect(fit.totalBytes).toBe(QWEN_7B_Q4_K_M + 224 * MiB + overhead);
		// ≈ 4.36 + 0.22 + 0.38 GiB ≈ 4.96 GiB
		expect(fit.totalBytes / GiB).toBeCloseTo(4.96, 1);
		expect(fit.verdict).toBe('fits');
		expect(fit.summary).toContain('224 MiB KV cache (4,096 tokens)');
		expect(fit.checks.map((c) => [c.id, c.status])).toEqual([
			['memory', 'ok'],
			['wasm', 'ok'],
			['storage', 'ok']
		]);
	});

	test('the same model at 32k no longer fits a wasm32 heap', () => {
		const wasm32 = { ...roomy, memory64: false };
		const at4k = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 4096 },
			wasm32
		);
		expect(at4k.verdict).toBe('wont-fit'); // 4.96 GiB > 4 GiB
		const at32k = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 32_768, kvBytesPerElement: 2 },
			roomy
		);
		expect(at32k.kvCacheBytes).toBe(1.75 * GiB);
		expect(at32k.totalBytes / GiB).toBeCloseTo(6.49, 1);
		expect(at32k.verdict).toBe('fits');
		const wasm = at32k.checks.find((c) => c.id === 'wasm');
		expect(wasm?.availableBytes).toBe(16 * GiB);
	});

	test("without a cache type the app's default q8_0 KV cache is counted: 34 bytes per 32 elements", () => {
		const fit = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 4096 },
			roomy
		);
		expect(fit.kvCacheBytes).toBe((224 * MiB * 34) / 64);
		expect(fit.summary).toContain('119 MiB KV cache (4,096 tokens)');
		const estimated = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: null, contextLength: 4096 },
			roomy
		);
		const estimatedF16 = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: null, contextLength: 4096, kvBytesPerElement: 2 },
			roomy
		);
		expect(estimated.kvCacheBytes / estimatedF16.kvCacheBytes).toBeCloseTo(34 / 64, 5);
	});

	test('Chrome caps deviceMemory at 8: over it is "tight", never a false "won\'t fit"', () => {
		const chrome: DeviceLimits = { ...roomy, deviceMemoryBytes: 8 * GiB, deviceMemoryCapped: true };
		const at32k = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 32_768 },
			chrome
		);
		const memory = at32k.checks.find((c) => c.id === 'memory');
		expect(memory?.status).toBe('tight');
		expect(memory?.note).toMatch(/at most 8 GiB/);
		expect(at32k.verdict).toBe('tight');
	});

	test('a 4 GiB phone: the 7B model will not fit', () => {
		const phone: DeviceLimits = { ...roomy, deviceMemoryBytes: 4 * GiB, deviceMemoryCapped: false };
		const fit = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 4096 },
			phone
		);
		expect(fit.verdict).toBe('wont-fit');
	});

	test("not enough free storage → won't fit; almost full → tight", () => {
		const full = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 4096 },
			{ ...roomy, storageFreeBytes: 4 * GiB }
		);
		expect(full.checks.find((c) => c.id === 'storage')?.status).toBe('fail');
		expect(full.verdict).toBe('wont-fit');
		const nearly = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: QWEN_7B, contextLength: 4096 },
			{ ...roomy, storageFreeBytes: 5 * GiB }
		);
		expect(nearly.verdict).toBe('tight');
	});

	test('WebGPU binding limit is reported and only makes it tight', () => {
		const gpu: DeviceLimits = {
			...roomy,
			webgpu: { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB }
		};
		const fit = estimateFit(
			{
				weightsBytes: QWEN_7B_Q4_K_M,
				shape: QWEN_7B,
				contextLength: 4096,
				largestTensorBytes: 300 * MiB
			},
			gpu
		);
		const check = fit.checks.find((c) => c.id === 'webgpu');
		expect(check?.availableBytes).toBe(128 * MiB);
		expect(check?.status).toBe('tight');
		expect(check?.note).toMatch(/runs on the CPU/);
		expect(fit.verdict).toBe('tight');
	});

	test('without a header the KV cache is estimated and says so', () => {
		const fit = estimateFit(
			{ weightsBytes: QWEN_7B_Q4_K_M, shape: null, contextLength: 4096 },
			roomy
		);
		expect(fit.kvExact).toBe(false);
		expect(fit.kvCacheBytes).toBeGreaterThan(100 * MiB);
		expect(fit.kvCacheBytes).toBeLessThan(1 * GiB);
		expect(fit.summary).toContain('estimated');
	});

	test('unknown device memory is "unknown", not a failure', () => {
		const fit = estimateFit(
			{ weightsBytes: 100 * MiB, shape: QWEN_7B, contextLength: 512 },
			{ ...roomy, deviceMemoryBytes: null }
		);
		expect(fit.checks.find((c) => c.id === 'memory')?.status).toBe('unknown');
		expect(fit.verdict).toBe('fits');
	});
});
