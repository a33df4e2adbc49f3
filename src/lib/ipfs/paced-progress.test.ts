import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { pacedProgress } from './paced-progress';

describe('pacedProgress', () => {
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	test('reports the first figure at once, then at most one per interval, always the newest', () => {
		const reports: number[] = [];
		const progress = pacedProgress((bytes) => reports.push(bytes), 100);
		progress.push(1);
		for (let bytes = 2; bytes <= 50; bytes++) progress.push(bytes);
		expect(reports).toEqual([1]);
		vi.advanceTimersByTime(100);
		expect(reports).toEqual([1, 50]);
		vi.advanceTimersByTime(1000);
		expect(reports).toEqual([1, 50]);
	});

	test('a stall right after a block still shows that block within one interval', () => {
		const reports: number[] = [];
		const progress = pacedProgress((bytes) => reports.push(bytes), 100);
		progress.push(10);
		vi.advanceTimersByTime(30);
		progress.push(17);
		// Nothing else arrives for a long time: the 17 is not held back until then.
		vi.advanceTimersByTime(70);
		expect(reports).toEqual([10, 17]);
	});

	test('flush reports what is pending now; cancel drops it', () => {
		const reports: number[] = [];
		const progress = pacedProgress((bytes) => reports.push(bytes), 100);
		progress.push(1);
		progress.push(2);
		progress.flush();
		expect(reports).toEqual([1, 2]);
		progress.push(3);
		progress.cancel();
		vi.advanceTimersByTime(500);
		expect(reports).toEqual([1, 2]);
	});
});
