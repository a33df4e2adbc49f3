import { describe, expect, it } from 'vitest';
import { formatBytes, formatMemory } from './units';

describe('units', () => {
	it('writes file sizes in decimal units, as the Hub does', () => {
		expect(formatBytes(0)).toBe('0 B');
		expect(formatBytes(999)).toBe('999 B');
		expect(formatBytes(1500)).toBe('1.50 kB');
		expect(formatBytes(4_683_072_800)).toBe('4.68 GB');
		expect(formatBytes(-1)).toBe('—');
		expect(formatBytes(Number.NaN)).toBe('—');
	});

	it('writes memory in binary units', () => {
		expect(formatMemory(224 * 1024 * 1024)).toBe('224 MiB');
		expect(formatMemory(1.75 * 1024 ** 3)).toBe('1.75 GiB');
		expect(formatMemory(16 * 1024 ** 3)).toBe('16.0 GiB');
		expect(formatMemory(5.5 * 1024 * 1024)).toBe('5.5 MiB');
		expect(formatMemory(2048)).toBe('2 KiB');
		expect(formatMemory(100)).toBe('100 B');
		expect(formatMemory(-1)).toBe('—');
	});
});
