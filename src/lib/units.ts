/**
 * How Citrate writes quantities. File sizes and storage are decimal (kB, MB, GB), as the Hub and
 * most file managers show them, so a size here matches the one on huggingface.co; memory (device
 * RAM, WebAssembly and GPU limits, KV cache) is binary (KiB, MiB, GiB), as memory is counted.
 */
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A file size or storage amount: `4.37 GB`, `512 MB`, `1.50 kB`. */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '—';
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < DECIMAL_UNITS.length - 1) {
		value /= 1000;
		unit++;
	}
	const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
	return `${value.toFixed(digits)} ${DECIMAL_UNITS[unit]}`;
}

/** An amount of memory: `4.96 GiB`, `224 MiB`, `12 KiB`. */
export function formatMemory(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '—';
	if (bytes >= GiB) return `${(bytes / GiB).toFixed(bytes >= 10 * GiB ? 1 : 2)} GiB`;
	if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MiB`;
	if (bytes >= KiB) return `${(bytes / KiB).toFixed(0)} KiB`;
	return `${bytes} B`;
}
