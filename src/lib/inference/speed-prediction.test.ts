import { describe, expect, test } from 'vitest';
import { CALIBRATION_SETTING_KEY, loadOrCalibrate } from './speed-calibration-store';
import {
	SPEED_TABLE,
	formatSpeed,
	predictDecodeSpeed,
	threadSpeedup,
	weightFamily
} from './speed-prediction';
import { DEFAULT_TUNING, defaultTuningFor, kvBytesPerElement, wllamaTuningParams } from './tuning';

const MB = 1_000_000;

describe('weightFamily', () => {
	test('K-quants run like Q4_K, legacy and i-quants like Q4_0; unknown types have no figure', () => {
		expect(weightFamily('Q4_K_M')).toEqual({ family: 'Q4_K', measured: true });
		expect(weightFamily('UD-Q6_K_XL')).toEqual({ family: 'Q4_K', measured: false });
		expect(weightFamily('Q5_0')).toEqual({ family: 'Q4_0', measured: false });
		expect(weightFamily('IQ4_NL')).toEqual({ family: 'Q4_0', measured: false });
		expect(weightFamily('Q8_0')).toEqual({ family: 'Q8_0', measured: true });
		expect(weightFamily('BF16')).toEqual({ family: 'F16', measured: false });
		expect(weightFamily('TQ1_0')).toBeNull();
		expect(weightFamily(null)).toBeNull();
	});
});

describe('predictDecodeSpeed', () => {
	const base: { sizeBytes: number; quant: string; threads: number } = {
		sizeBytes: 400 * MB,
		quant: 'Q4_K_M',
		threads: SPEED_TABLE.referenceThreads
	};

	test('untied token embeddings (looked up, never multiplied) do not slow decode', () => {
		const all = predictDecodeSpeed({ ...base, score: SPEED_TABLE.referenceScore })!;
		const tied = predictDecodeSpeed({
			...base,
			score: SPEED_TABLE.referenceScore,
			lookupOnlyShare: 0
		})!;
		const untied = predictDecodeSpeed({
			...base,
			score: SPEED_TABLE.referenceScore,
			lookupOnlyShare: 0.25
		})!;
		expect(tied.tokensPerSecond).toBe(all.tokensPerSecond);
		const ms = SPEED_TABLE.fixedMsPerToken + 300 * MB * SPEED_TABLE.nsPerByte.Q4_K * 1e-6;
		expect(untied.tokensPerSecond).toBeCloseTo(1000 / ms, 6);
	});

	test('at the reference machine it is the measured table', () => {
		const p = predictDecodeSpeed({ ...base, score: SPEED_TABLE.referenceScore })!;
		const ms = SPEED_TABLE.fixedMsPerToken + 400 * MB * SPEED_TABLE.nsPerByte.Q4_K * 1e-6;
		expect(p.tokensPerSecond).toBeCloseTo(1000 / ms, 6);
		expect(p.measuredType).toBe(true);
		expect(p.calibrated).toBe(true);
		// Without a calibration yet: the same table, as measured.
		expect(predictDecodeSpeed({ ...base, score: null })).toEqual({ ...p, calibrated: false });
	});

	test('scales with the calibration, the size, the type and the threads', () => {
		const at = (o: Partial<typeof base> & { score?: number }) =>
			predictDecodeSpeed({ ...base, score: SPEED_TABLE.referenceScore, ...o })!.tokensPerSecond;
		expect(at({ score: SPEED_TABLE.referenceScore * 2 })).toBeCloseTo(at({}) * 2, 6);
		expect(at({ sizeBytes: 800 * MB })).toBeLessThan(at({}));
		expect(at({ quant: 'Q4_0' })).toBeLessThan(at({})); // scalar kernels: slower per byte
		expect(at({ threads: 8 })).toBeCloseTo(
			(at({}) * threadSpeedup(8)) / threadSpeedup(SPEED_TABLE.referenceThreads),
			6
		);
	});

	test('a crawling variant is flagged slow; nonsense input gives no prediction', () => {
		expect(predictDecodeSpeed({ ...base, sizeBytes: 8000 * MB, score: 50 })!.slow).toBe(true);
		expect(
			predictDecodeSpeed({ ...base, sizeBytes: 100 * MB, score: SPEED_TABLE.referenceScore })!.slow
		).toBe(false);
		expect(predictDecodeSpeed({ ...base, score: 0 })).toBeNull();
		expect(predictDecodeSpeed({ ...base, quant: 'weird', score: 1 })).toBeNull();
	});

	test('formats like the UI says it', () => {
		expect(formatSpeed(14.4)).toBe('≈ 14 tok/s');
		expect(formatSpeed(2.44)).toBe('≈ 2.4 tok/s');
	});
});

describe('loadOrCalibrate', () => {
	/** The settings store's shape (IndexedDB in the app). */
	const memory = () => {
		const map = new Map<string, unknown>();
		return {
			map,
			get: async (k: string) => map.get(k),
			put: async (k: string, v: unknown) => void map.set(k, v)
		};
	};
	const id = { browser: 'Chrome/156', backend: 'wasm-multi:8' };

	test('measures once, then reuses the stored figure', async () => {
		const storage = memory();
		let runs = 0;
		const measure = () => (++runs, 1234);
		expect((await loadOrCalibrate(storage, id, measure)).score).toBe(1234);
		expect((await loadOrCalibrate(storage, id, measure)).score).toBe(1234);
		expect(runs).toBe(1);
		expect(storage.map.get(CALIBRATION_SETTING_KEY)).toMatchObject({
			...id,
			score: 1234
		});
	});

	test('a calibration that never saw the optimized code is used for this visit, not stored', async () => {
		const storage = memory();
		let runs = 0;
		const measure = () => ({ score: 225 + ++runs, settled: runs > 1 });
		expect((await loadOrCalibrate(storage, id, measure)).score).toBe(226);
		expect(storage.map.has(CALIBRATION_SETTING_KEY)).toBe(false);
		expect((await loadOrCalibrate(storage, id, measure)).score).toBe(227);
		expect((await loadOrCalibrate(storage, id, measure)).score).toBe(227);
		expect(runs).toBe(2);
	});

	test('measures again when the browser or the backend changed, or the record is garbage', async () => {
		const storage = memory();
		let runs = 0;
		const measure = () => ++runs;
		await loadOrCalibrate(storage, id, measure);
		expect((await loadOrCalibrate(storage, { ...id, browser: 'Chrome/157' }, measure)).score).toBe(
			2
		);
		expect(
			(
				await loadOrCalibrate(
					storage,
					{ ...id, browser: 'Chrome/157', backend: 'wasm-single:8' },
					measure
				)
			).score
		).toBe(3);
		storage.map.set(CALIBRATION_SETTING_KEY, '{not json');
		expect((await loadOrCalibrate(storage, id, measure)).score).toBe(4);
		expect((await loadOrCalibrate(null, id, measure)).score).toBe(5);
	});
});

describe('wllamaTuningParams', () => {
	test('sets only what the tuning names; the KV type applies to K and V', () => {
		expect(wllamaTuningParams({})).toEqual({});
		expect(
			wllamaTuningParams({ nUbatch: 256, flashAttention: false, kvCacheType: 'q8_0' })
		).toEqual({
			n_ubatch: 256,
			flash_attn: false,
			cache_type_k: 'q8_0',
			cache_type_v: 'q8_0'
		});
	});
});

describe('the default tuning', () => {
	test("the CPU loads with a q8_0 KV cache (the sweep winner); WebGPU keeps llama.cpp's f16", () => {
		expect(wllamaTuningParams(defaultTuningFor('wasm-multi'))).toMatchObject({
			cache_type_k: 'q8_0',
			cache_type_v: 'q8_0'
		});
		expect(defaultTuningFor('wasm-single')).toBe(DEFAULT_TUNING);
		expect(wllamaTuningParams(defaultTuningFor('webgpu'))).not.toHaveProperty('cache_type_k');
		expect(kvBytesPerElement()).toBe(34 / 32);
		expect(kvBytesPerElement({})).toBe(2);
	});
});
