/** Retry timing: exponential backoff with full jitter, and the server's `Retry-After`. */

/** Delay before attempt `attempt` (1 = first retry): random in [base·2^(n-1)/2, base·2^(n-1)], capped. */
export function backoffDelay(
	attempt: number,
	baseMs: number,
	maxMs: number,
	random: () => number = Math.random
): number {
	const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date. Null when absent or
 * unreadable. Never negative; capped at `maxMs`.
 */
export function parseRetryAfter(
	value: string | null,
	now: number = Date.now(),
	maxMs = 10 * 60_000
): number | null {
	if (!value) return null;
	const trimmed = value.trim();
	let ms: number;
	if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
	else {
		const date = Date.parse(trimmed);
		if (Number.isNaN(date)) return null;
		ms = date - now;
	}
	return Math.min(maxMs, Math.max(0, ms));
}
