/** Human-readable sizes, speeds and durations (sizes in decimal units, as the Hub shows them). */
import { formatBytes } from '../units';

export { formatBytes };

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
