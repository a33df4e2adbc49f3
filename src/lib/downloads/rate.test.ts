import { describe, expect, it } from 'vitest';
import { ByteRate } from './rate';

describe('ByteRate', () => {
	it('measures recent bytes and slows to 0 when nothing arrives', () => {
		const rate = new ByteRate(5000);
		rate.add(0, 0);
		rate.add(1000, 1000);
		rate.add(2000, 2000);
		expect(rate.speed(2000)).toBe(1000);
		// Nothing more arrives: the speed falls with time, not with the next event.
		expect(rate.speed(4000)).toBe(500);
		expect(rate.speed(7001)).toBe(0);
		expect(rate.idleFor(7001)).toBe(5001);
	});
	it('forgets bytes older than the window', () => {
		const rate = new ByteRate(5000);
		rate.add(0, 0);
		rate.add(1000, 100_000_000); // a burst long ago
		for (let t = 2000; t <= 20_000; t += 1000) rate.add(t, 100_000_000 + (t - 1000));
		expect(rate.speed(20_000)).toBe(1000);
	});
	it('starts over when the counter goes down (a file started over)', () => {
		const rate = new ByteRate(5000);
		rate.add(0, 5000);
		rate.add(1000, 0);
		rate.add(2000, 1000);
		expect(rate.speed(2000)).toBe(1000);
	});
});
