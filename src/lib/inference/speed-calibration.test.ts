import { describe, expect, test } from 'vitest';
import { calibrateDetailed } from './speed-calibration';

/** A clock the fake work advances: each round takes `roundMs(i)` of the i-th round. */
function fake(roundMs: (i: number) => number) {
	let t = 0;
	let i = 0;
	return { now: () => t, work: () => void (t += roundMs(i++)), rounds: () => i };
}

// 1M multiply-adds per round: 1 ms is a score of 1048.576.
const SCORE_AT_1MS = (64 * 1024 * 16) / 1000;

describe('calibrateDetailed', () => {
	test('a quick tier-up: stops at the minimum budget with the optimized figure, settled', () => {
		const clock = fake((i) => (i < 10 ? 5 : 1));
		const c = calibrateDetailed({ now: clock.now, work: clock.work });
		expect(c.settled).toBe(true);
		expect(c.score).toBeCloseTo(SCORE_AT_1MS, 6);
		expect(c.elapsedMs).toBeGreaterThanOrEqual(300);
		expect(c.elapsedMs).toBeLessThan(302);
	});

	test('a starved compiler: waits past the minimum for the tier-up (here at ~600 ms)', () => {
		const clock = fake((i) => (i < 120 ? 5 : 1));
		const c = calibrateDetailed({ now: clock.now, work: clock.work });
		expect(c.settled).toBe(true);
		expect(c.score).toBeCloseTo(SCORE_AT_1MS, 6);
		expect(c.elapsedMs).toBeGreaterThan(600);
		expect(c.elapsedMs).toBeLessThan(1000);
	});

	test('no tier-up within the maximum: bounded at 1 s, the figure is flagged unsettled', () => {
		const clock = fake(() => 5);
		const c = calibrateDetailed({ now: clock.now, work: clock.work });
		expect(c.settled).toBe(false);
		expect(c.score).toBeCloseTo(SCORE_AT_1MS / 5, 6);
		expect(c.elapsedMs).toBeGreaterThanOrEqual(1000);
		expect(c.elapsedMs).toBeLessThan(1006);
	});

	test('one slow round in a busy moment is not taken for a tier', () => {
		const clock = fake((i) => (i === 0 ? 80 : 5));
		const c = calibrateDetailed({ now: clock.now, work: clock.work });
		expect(c.settled).toBe(false);
		expect(c.elapsedMs).toBeGreaterThanOrEqual(1000);
	});

	test('the real loop measures something in bounded time', () => {
		const c = calibrateDetailed({ minMs: 20, maxMs: 60 });
		expect(c.score).toBeGreaterThan(0);
		expect(c.elapsedMs).toBeLessThan(1000);
	});
});
