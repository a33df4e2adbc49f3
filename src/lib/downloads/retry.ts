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
 * Delay before retry `attempt` after a rate limit (429/503) with no readable `Retry-After`:
 * `floorMs·2^(n-1)` plus up to half of it again at random (1–1.5 s, 2–3 s, 4–6 s, …), capped.
 * Never under the floor (even when `maxMs` is lower), so a busy Hub is not hammered, and spread so that many files (or many
 * clients) do not come back at the same instant.
 */
export function rateLimitDelay(
	attempt: number,
	floorMs: number,
	maxMs: number,
	random: () => number = Math.random
): number {
	const cap = Math.max(maxMs, floorMs);
	const base = Math.min(cap, floorMs * 2 ** Math.max(0, attempt - 1));
	return Math.min(cap, Math.round(base + (random() * base) / 2));
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

/** What a retryable failure says about its own wait (a `RetryableError` fits). */
export interface RetryHint {
	retryAfterMs: number | null;
	minDelayMs: number;
}

/**
 * The wait before retry `attempt`: the server's `Retry-After` when readable; after a rate limit
 * without one, `rateLimitDelay` from its floor; otherwise (a lost connection) `backoffDelay`.
 */
export function retryDelay(
	hint: RetryHint | null,
	attempt: number,
	settings: { retryBaseMs: number; retryMaxMs: number },
	random: () => number = Math.random
): number {
	if (hint?.retryAfterMs != null) return hint.retryAfterMs;
	if (hint && hint.minDelayMs > 0)
		return rateLimitDelay(attempt, hint.minDelayMs, settings.retryMaxMs, random);
	return backoffDelay(attempt, settings.retryBaseMs, settings.retryMaxMs, random);
}
