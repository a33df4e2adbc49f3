import type { BackendPlan, BackendPreference, EnvironmentProbe } from './types';

/** Models below this size decode faster on one thread (a fixed per-token cost dominates). */
export const SMALL_MODEL_BYTES = 24 * 1024 * 1024;
/** More threads than this gain nothing in wasm and cost memory per thread. */
export const MAX_THREADS = 8;
/** The wasm heap (and so any CPU model) cannot exceed this. */
export const WASM_MAX_BYTES = 4 * 1024 ** 3;

/** Threads for the CPU backends: by core count when isolated, but 1 for tiny models. */
export function chooseThreads(env: EnvironmentProbe, modelBytes: number): number {
	if (!env.crossOriginIsolated) return 1;
	if (modelBytes < SMALL_MODEL_BYTES) return 1;
	return Math.max(1, Math.min(MAX_THREADS, Math.floor(env.hardwareConcurrency || 1)));
}

/**
 * Whether a model of this size is worth putting on this GPU: the adapter must have `shader-f16`
 * (without it llama.cpp's WebGPU backend silently stays on the CPU) and the weights must fit the
 * largest buffer the adapter allows several times over (each tensor is one buffer; the biggest
 * tensor of a GGUF is well under a quarter of the file).
 */
export function fitsGpu(gpu: NonNullable<EnvironmentProbe['gpu']>, modelBytes: number): boolean {
	if (!gpu.shaderF16) return false;
	const largestTensor = modelBytes / 4;
	return largestTensor <= Math.min(gpu.maxBufferSize, gpu.maxStorageBufferBindingSize);
}

/** Picks WebGPU, multi-threaded or single-threaded wasm for a model of `modelBytes`. */
export function planBackend(
	env: EnvironmentProbe,
	modelBytes: number,
	preference: BackendPreference = 'auto',
	forcedThreads?: number
): BackendPlan {
	const cpu = (): BackendPlan => {
		const threads = forcedThreads ?? chooseThreads(env, modelBytes);
		if (preference === 'wasm-single' || !env.crossOriginIsolated || threads <= 1) {
			return {
				backend: 'wasm-single',
				threads: 1,
				gpuLayers: 0,
				reason: !env.crossOriginIsolated
					? 'Single-threaded WebAssembly: this page is not cross-origin isolated.'
					: preference === 'wasm-single'
						? 'Single-threaded WebAssembly, as chosen.'
						: 'Single-threaded WebAssembly: faster than threads for a model this small.'
			};
		}
		return {
			backend: 'wasm-multi',
			threads,
			gpuLayers: 0,
			reason: `WebAssembly on ${threads} threads.`
		};
	};
	if (preference === 'wasm-multi' || preference === 'wasm-single') return cpu();
	if (env.gpu && fitsGpu(env.gpu, modelBytes)) {
		return {
			backend: 'webgpu',
			threads: forcedThreads ?? Math.min(MAX_THREADS, chooseThreads(env, modelBytes)),
			gpuLayers: 999,
			reason: 'WebGPU: all layers on the GPU.'
		};
	}
	const plan = cpu();
	if (preference === 'webgpu' || env.gpu) {
		const why = !env.gpu
			? 'no WebGPU adapter'
			: !env.gpu.shaderF16
				? 'the GPU lacks shader-f16'
				: 'the model is too large for the GPU';
		return { ...plan, reason: `${plan.reason} (WebGPU not used: ${why}.)` };
	}
	return plan;
}

/** Reads what this browser offers. Never throws. */
export async function probeEnvironment(): Promise<EnvironmentProbe> {
	const env: EnvironmentProbe = {
		crossOriginIsolated: globalThis.crossOriginIsolated === true,
		hardwareConcurrency: globalThis.navigator?.hardwareConcurrency ?? 1,
		gpu: null
	};
	try {
		const gpu = (
			globalThis.navigator as Navigator & {
				gpu?: {
					requestAdapter(): Promise<{
						features: ReadonlySet<string>;
						limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
					} | null>;
				};
			}
		).gpu;
		const adapter = gpu ? await gpu.requestAdapter() : null;
		if (adapter) {
			env.gpu = {
				maxBufferSize: adapter.limits.maxBufferSize,
				maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
				shaderF16: adapter.features.has('shader-f16')
			};
		}
	} catch {
		env.gpu = null;
	}
	return env;
}
