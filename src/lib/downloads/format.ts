/** Human-readable sizes, speeds and durations (decimal units, as the Hub shows sizes). */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '—';
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < UNITS.length - 1) {
		value /= 1000;
		unit++;
	}
	const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
	return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
	return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

/** `1 h 2 min`, `3 min 5 s`, `42 s`; '—' when unknown. */
export function formatDuration(seconds: number | null): string {
	if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
	const s = Math.round(seconds);
	if (s < 60) return `${s} s`;
	const minutes = Math.floor(s / 60);
	if (minutes < 60) return `${minutes} min ${s % 60} s`;
	return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function percentOf(done: number, total: number): number {
	if (total <= 0) return done >= total ? 100 : 0;
	return Math.min(100, Math.floor((done / total) * 100));
}
