/**
 * "Will this variant run here?" Weights + KV cache for the chosen context + compute buffers,
 * checked against device memory, the WebAssembly memory limit, WebGPU buffer limits and free
 * storage. Pure arithmetic: the browser probing lives in `device.ts`.
 */
import { kvBytesPerElement } from '../inference/tuning';
import { formatBytes, formatMemory } from '../units';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** wasm32 linear memory tops out at 4 GiB; wllama's memory64 build at 16 GiB. */
export const WASM32_MAX_BYTES = 4 * GiB;
export const WASM64_MAX_BYTES = 16 * GiB;

/** The transformer shape the KV cache depends on (from the GGUF header). */
export interface ModelShape {
	nLayer: number;
	nHeadKv: number;
	headDimK: number;
	headDimV: number;
	nEmbd?: number | null;
	nVocab?: number | null;
}

export interface DeviceLimits {
	/** `navigator.deviceMemory` in bytes; null when the browser does not say. */
	deviceMemoryBytes: number | null;
	/** Chrome reports at most 8 (GiB) whatever the machine has. */
	deviceMemoryCapped: boolean;
	/** Whether wllama can use its memory64 build here. */
	memory64: boolean;
	/** WebGPU adapter limits, when an adapter exists. */
	webgpu: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null;
	/** Quota minus usage from `navigator.storage.estimate()`; null when unknown. */
	storageFreeBytes: number | null;
}

export type FitVerdict = 'fits' | 'tight' | 'wont-fit';
export type CheckStatus = 'ok' | 'tight' | 'fail' | 'unknown';

export interface FitCheck {
	id: 'memory' | 'wasm' | 'webgpu' | 'storage';
	label: string;
	requiredBytes: number;
	/** null when the limit is unknown. */
	availableBytes: number | null;
	status: CheckStatus;
	note: string;
}

export interface FitEstimate {
	verdict: FitVerdict;
	contextLength: number;
	weightsBytes: number;
	kvCacheBytes: number;
	/** True when the KV cache comes from the header's shape; false when approximated. */
	kvExact: boolean;
	overheadBytes: number;
	/** weights + KV cache + overhead. */
	totalBytes: number;
	checks: FitCheck[];
	summary: string;
}

export interface FitInput {
	weightsBytes: number;
	shape: ModelShape | null;
	contextLength: number;
	/** Bytes per KV element: the app's default cache type's (`kvBytesPerElement`) when unset. */
	kvBytesPerElement?: number;
	/** Tokens per compute batch (llama.cpp's n_ubatch default is 512). */
	ubatch?: number;
	/** For the WebGPU binding check. */
	largestTensorBytes?: number | null;
}

/** layers × KV heads × (K head dim + V head dim) × context × bytes per element. */
export function kvCacheBytes(
	shape: ModelShape,
	contextLength: number,
	bytesPerElement = 2
): number {
	return (
		shape.nLayer *
		shape.nHeadKv *
		(shape.headDimK + shape.headDimV) *
		contextLength *
		bytesPerElement
	);
}

/** Without a header: a 7B-class GQA model keeps ~56 KiB per token at f16; scale by size and type. */
function approximateKvBytes(
	weightsBytes: number,
	contextLength: number,
	bytesPerElement: number
): number {
	const perToken = Math.max(
		8 * 1024,
		Math.min(256 * 1024, (weightsBytes / (4.4 * GiB)) * 56 * 1024)
	);
	return perToken * contextLength * (bytesPerElement / 2);
}

/** Fixed runtime (wasm heap, graph, tokenizer) plus llama.cpp's compute buffer for one ubatch. */
const RUNTIME_BYTES = 64 * MiB;
export function overheadBytes(shape: ModelShape | null, ubatch = 512): number {
	const vocab = shape?.nVocab ?? 32_000;
	const embd = shape?.nEmbd ?? 4096;
	return RUNTIME_BYTES + ubatch * (vocab + 4 * embd) * 4;
}

const SEVERITY: Record<CheckStatus, number> = { ok: 0, unknown: 0, tight: 1, fail: 2 };

function ratioStatus(required: number, available: number, tightAt: number): CheckStatus {
	if (required > available) return 'fail';
	return required > available * tightAt ? 'tight' : 'ok';
}

export function estimateFit(input: FitInput, device: DeviceLimits): FitEstimate {
	const { weightsBytes, shape, contextLength } = input;
	const kvExact = shape !== null;
	const bytesPerElement = input.kvBytesPerElement ?? kvBytesPerElement();
	const kv = shape
		? kvCacheBytes(shape, contextLength, bytesPerElement)
		: approximateKvBytes(weightsBytes, contextLength, bytesPerElement);
	const overhead = overheadBytes(shape, input.ubatch);
	const total = weightsBytes + kv + overhead;
	const checks: FitCheck[] = [];

	// Device RAM: a tab can use about half of it comfortably; past 80% the system swaps.
	if (device.deviceMemoryBytes !== null) {
		const ram = device.deviceMemoryBytes;
		let status: CheckStatus = total > ram * 0.8 ? 'fail' : total > ram * 0.5 ? 'tight' : 'ok';
		let note = `${formatMemory(total)} needed of ${device.deviceMemoryCapped ? 'at least ' : 'about '}${formatMemory(ram)} device memory`;
		if (device.deviceMemoryCapped) {
			note += ' (Chrome reports at most 8 GiB, so this device may have more)';
			if (status === 'fail') status = 'tight';
		}
		checks.push({
			id: 'memory',
			label: 'Device memory',
			requiredBytes: total,
			availableBytes: ram,
			status,
			note
		});
	} else {
		checks.push({
			id: 'memory',
			label: 'Device memory',
			requiredBytes: total,
			availableBytes: null,
			status: 'unknown',
			note: `${formatMemory(total)} needed; this browser does not report device memory`
		});
	}

	const wasmMax = device.memory64 ? WASM64_MAX_BYTES : WASM32_MAX_BYTES;
	checks.push({
		id: 'wasm',
		label: device.memory64 ? 'WebAssembly memory (memory64)' : 'WebAssembly memory (wasm32)',
		requiredBytes: total,
		availableBytes: wasmMax,
		status: ratioStatus(total, wasmMax, 0.9),
		note: `${formatMemory(total)} of the ${formatMemory(wasmMax)} a ${device.memory64 ? 'memory64' : 'wasm32'} module can address`
	});

	if (device.webgpu) {
		const binding = Math.min(
			device.webgpu.maxStorageBufferBindingSize,
			device.webgpu.maxBufferSize
		);
		const largest = input.largestTensorBytes ?? null;
		// Informational: when a tensor exceeds the binding limit, the GPU path is out and wllama runs on the CPU.
		checks.push({
			id: 'webgpu',
			label: 'WebGPU buffer limit',
			requiredBytes: largest ?? 0,
			availableBytes: binding,
			status: largest === null ? 'unknown' : largest > binding ? 'tight' : 'ok',
			note:
				largest === null
					? `GPU buffers up to ${formatMemory(binding)}; tensor sizes unknown until the header is read`
					: largest > binding
						? `largest tensor ${formatMemory(largest)} exceeds the GPU's ${formatMemory(binding)} buffer binding limit: runs on the CPU`
						: `largest tensor ${formatMemory(largest)} within the GPU's ${formatMemory(binding)} buffer binding limit`
		});
	}

	if (device.storageFreeBytes !== null) {
		checks.push({
			id: 'storage',
			label: 'Free storage',
			requiredBytes: weightsBytes,
			availableBytes: device.storageFreeBytes,
			status: ratioStatus(weightsBytes, device.storageFreeBytes, 0.8),
			note: `${formatBytes(weightsBytes)} to download, ${formatBytes(device.storageFreeBytes)} free for this site`
		});
	}

	const worst = checks.reduce<CheckStatus>(
		(acc, check) => (SEVERITY[check.status] > SEVERITY[acc] ? check.status : acc),
		'ok'
	);
	const verdict: FitVerdict = worst === 'fail' ? 'wont-fit' : worst === 'tight' ? 'tight' : 'fits';
	const summary = `${formatMemory(weightsBytes)} weights + ${formatMemory(kv)} KV cache (${contextLength.toLocaleString('en-US')} tokens${kvExact ? '' : ', estimated'}) + ${formatMemory(overhead)} overhead = ${formatMemory(total)}`;
	return {
		verdict,
		contextLength,
		weightsBytes,
		kvCacheBytes: kv,
		kvExact,
		overheadBytes: overhead,
		totalBytes: total,
		checks,
		summary
	};
}

export const VERDICT_LABEL: Record<FitVerdict, string> = {
	fits: 'Fits',
	tight: 'Tight',
	'wont-fit': 'Won’t fit'
};
