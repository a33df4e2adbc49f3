import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './retry';

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
