import { describe, expect, test } from 'vitest';
import { estimateTokensPerSecond, floatSpeedNote, formatSpeed } from './speed';

describe('decode speed estimate', () => {
	test('matches the measurements it comes from (86M parameters, 2 cores)', () => {
		const at = (quant: string, bytes: number) =>
			estimateTokensPerSecond({ quant, weightsBytes: bytes, parameterCount: 86e6, cores: 2 });
		expect(at('Q4_K_M', 52e6)).toBeCloseTo(65, -1);
		expect(at('F16', 172e6)).toBeCloseTo(22.3, 0);
		expect(at('Q8_0', 91e6)).toBeCloseTo(29.7, 0);
	});

	test('a 1 MB F32 model (stories260K) runs at hundreds of tok/s: no warning', () => {
		const input = { quant: 'F32', weightsBytes: 1.19e6, parameterCount: 292e3, cores: 2 };
		expect(estimateTokensPerSecond(input)).toBeGreaterThan(400);
		expect(floatSpeedNote(input)).toBeNull();
	});

	test('a 7B model in F16 gets a warning with its own estimate', () => {
		const note = floatSpeedNote({
			quant: 'F16',
			weightsBytes: 15.2e9,
			parameterCount: 7.62e9,
			cores: 2
		});
		expect(note).toMatch(/slow at this size: about 0\.3 tok\/s/);
		expect(note).toMatch(/4-bit K-quant would reach about 0\.8 tok\/s/);
		expect(note).not.toMatch(/22 tok\/s/);
	});

	test('more cores, faster (up to 8 threads); K-quants only for float notes', () => {
		const base = { quant: 'Q4_K_M', weightsBytes: 1e9, parameterCount: 1.5e9 };
		expect(estimateTokensPerSecond({ ...base, cores: 8 })).toBeGreaterThan(
			estimateTokensPerSecond({ ...base, cores: 2 }) * 2
		);
		expect(estimateTokensPerSecond({ ...base, cores: 64 })).toBe(
			estimateTokensPerSecond({ ...base, cores: 8 })
		);
		expect(floatSpeedNote({ ...base, cores: 2 })).toBeNull();
		expect(formatSpeed(442.4)).toBe('about 442 tok/s');
		expect(formatSpeed(3.04)).toBe('about 3 tok/s');
	});
});
