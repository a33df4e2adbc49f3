import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, rateLimitDelay, retryDelay } from './retry';

describe('backoffDelay', () => {
	it('doubles each attempt, with jitter between half and the whole ceiling', () => {
		expect(backoffDelay(1, 500, 30_000, () => 0)).toBe(250);
		expect(backoffDelay(1, 500, 30_000, () => 1)).toBe(500);
		expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(2000);
		expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(1500);
	});
	it('is capped', () => {
		expect(backoffDelay(30, 500, 30_000, () => 1)).toBe(30_000);
	});
});

describe('parseRetryAfter', () => {
	it('reads seconds and HTTP dates', () => {
		expect(parseRetryAfter('3')).toBe(3000);
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
	});
	it('ignores absent or unreadable values and never goes negative', () => {
		expect(parseRetryAfter(null)).toBeNull();
		expect(parseRetryAfter('soon')).toBeNull();
		expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', Date.parse('2026-01-02'))).toBe(0);
	});
});

describe('retryDelay after a 429/503 without a readable Retry-After', () => {
	const settings = { retryBaseMs: 500, retryMaxMs: 30_000 };
	const busy = { retryAfterMs: null, minDelayMs: 1000 };
	it('grows exponentially from the floor (1 s, 2 s, 4 s before jitter), never under it', () => {
		const lowest = [1, 2, 3, 4].map((n) => retryDelay(busy, n, settings, () => 0));
		expect(lowest).toEqual([1000, 2000, 4000, 8000]);
		const highest = [1, 2, 3].map((n) => retryDelay(busy, n, settings, () => 0.999));
		expect(highest).toEqual([1500, 2999, 5998]);
	});
	it('is jittered and capped', () => {
		expect(retryDelay(busy, 2, settings, () => 0.5)).toBe(2500);
		expect(rateLimitDelay(20, 1000, 30_000, () => 1)).toBe(30_000);
		expect(rateLimitDelay(3, 1000, 400, () => 1)).toBe(1000);
	});
	it("keeps the server's Retry-After when readable, and plain backoff for lost connections", () => {
		expect(retryDelay({ retryAfterMs: 7000, minDelayMs: 1000 }, 3, settings)).toBe(7000);
		expect(retryDelay(null, 1, settings, () => 1)).toBe(500);
	});
});
