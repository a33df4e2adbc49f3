/** Probes what this browser offers a model: device memory, memory64, WebGPU limits, free storage. */
import { GiB, type DeviceLimits } from './fit';

/** The smallest module declaring a 64-bit memory (`(memory i64 0)`): validates only with memory64. */
const MEMORY64_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 4, 0]);

export function supportsMemory64(): boolean {
	try {
		return typeof WebAssembly === 'object' && WebAssembly.validate(MEMORY64_PROBE);
	} catch {
		return false;
	}
}

interface NavigatorWithExtras {
	deviceMemory?: number;
	gpu?: {
		requestAdapter(): Promise<{
			limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
		} | null>;
	};
}

export async function probeDeviceLimits(): Promise<DeviceLimits> {
	const nav = (typeof navigator === 'undefined' ? {} : navigator) as Navigator &
		NavigatorWithExtras;
	const deviceMemory =
		typeof nav.deviceMemory === 'number' && nav.deviceMemory > 0 ? nav.deviceMemory : null;
	let webgpu: DeviceLimits['webgpu'] = null;
	try {
		const adapter = await nav.gpu?.requestAdapter();
		if (adapter)
			webgpu = {
				maxBufferSize: adapter.limits.maxBufferSize,
				maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize
			};
	} catch {
		webgpu = null;
	}
	let storageFreeBytes: number | null = null;
	try {
		const estimate = await nav.storage?.estimate();
		if (estimate?.quota !== undefined)
			storageFreeBytes = Math.max(0, estimate.quota - (estimate.usage ?? 0));
	} catch {
		storageFreeBytes = null;
	}
	return {
		deviceMemoryBytes: deviceMemory === null ? null : deviceMemory * GiB,
		// Chrome rounds down and caps `navigator.deviceMemory` at 8.
		deviceMemoryCapped: deviceMemory !== null && deviceMemory >= 8,
		memory64: supportsMemory64(),
		webgpu,
		storageFreeBytes
	};
}
