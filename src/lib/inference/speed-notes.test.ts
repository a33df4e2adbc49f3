import { describe, expect, test } from 'vitest';
import { chooseThreads } from './backend';
import { SPEED_TABLE, floatSpeedNote, formatSpeed, predictDecodeSpeed } from './speed-prediction';

/** The uncalibrated prediction (the measured table as it is), as the app shows before calibrating. */
const tps = (quant: string, sizeBytes: number, threads = 1) =>
	predictDecodeSpeed({ quant, sizeBytes, threads, score: null })!.tokensPerSecond;

describe('decode speed without a calibration (the measured table)', () => {
	test('matches the bench run it comes from (107M parameters, 2 threads)', () => {
		const near = (value: number, measured: number) =>
			expect(Math.abs(value / measured - 1)).toBeLessThan(0.02);
		near(tps('Q4_K_M', 60_473_632, 2), 60.9);
		near(tps('Q4_0', 60_473_632, 2), 25.9);
		near(tps('Q8_0', 113_754_400, 2), 36.8);
		near(tps('F16', 214_024_480, 2), 24.2);
		expect(predictDecodeSpeed({ quant: 'F16', sizeBytes: 1e6, threads: 1, score: null })).toEqual(
			expect.objectContaining({ calibrated: false })
		);
	});

	test('a 1 MB F32 model (stories260K) runs at hundreds of tok/s: no warning', () => {
		const input = { quant: 'F32', sizeBytes: 1.19e6, threads: 1, score: null };
		expect(tps('F32', 1.19e6)).toBeGreaterThan(300);
		expect(floatSpeedNote(input)).toBeNull();
	});

	test('a 7B model in F16 gets a warning with its own estimate', () => {
		const note = floatSpeedNote({ quant: 'F16', sizeBytes: 15.2e9, threads: 2, score: null });
		expect(note).toMatch(/slow at this size: about 0\.3 tok\/s/);
		expect(note).toMatch(/4-bit K-quant would reach about 0\.8 tok\/s/);
		expect(note).not.toMatch(/22 tok\/s/);
	});

	test('the F16 warning follows this device’s calibration', () => {
		const input = { quant: 'F16', sizeBytes: 15.2e9, threads: 2 };
		expect(floatSpeedNote({ ...input, score: SPEED_TABLE.referenceScore })).not.toBeNull();
		expect(floatSpeedNote({ ...input, score: SPEED_TABLE.referenceScore * 100 })).toBeNull();
	});

	test('more threads, faster (up to 8); K-quants get no float note', () => {
		const big = 1e9;
		const threads = (cores: number) =>
			chooseThreads({ crossOriginIsolated: true, hardwareConcurrency: cores, gpu: null }, big);
		expect(tps('Q4_K_M', big, threads(8))).toBeGreaterThan(tps('Q4_K_M', big, threads(2)) * 2);
		expect(tps('Q4_K_M', big, threads(64))).toBe(tps('Q4_K_M', big, threads(8)));
		expect(
			floatSpeedNote({ quant: 'Q4_K_M', sizeBytes: 40e9, threads: 1, score: null })
		).toBeNull();
		expect(formatSpeed(442.4, 'about')).toBe('about 442 tok/s');
		expect(formatSpeed(3.04, 'about')).toBe('about 3 tok/s');
	});
});
