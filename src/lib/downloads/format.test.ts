import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatSpeed, percentOf } from './format';

describe('format', () => {
	it('sizes are the shared decimal ones (see units.test.ts)', () => {
		expect(formatBytes(4_370_000_000)).toBe('4.37 GB');
	});
	it('formats speeds and durations', () => {
		expect(formatSpeed(25_000_000)).toBe('25.0 MB/s');
		expect(formatSpeed(0)).toBe('—');
		expect(formatDuration(42)).toBe('42 s');
		expect(formatDuration(185)).toBe('3 min 5 s');
		expect(formatDuration(3720)).toBe('1 h 2 min');
		expect(formatDuration(null)).toBe('—');
	});
	it('floors percentages so 100 % means done', () => {
		expect(percentOf(999, 1000)).toBe(99);
		expect(percentOf(1000, 1000)).toBe(100);
		expect(percentOf(0, 0)).toBe(100);
	});
});
