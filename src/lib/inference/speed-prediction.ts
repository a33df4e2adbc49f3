/**
 * "≈ N tok/s here" before the download: a variant's reply (decode) speed on this device, predicted
 * from a short calibration (`speed-calibration.ts`) and the table `npm run bench:inference`
 * measured, scaled by the variant's size and weight type. wllama's wasm kernels cost a roughly fixed
 * time per byte of weights for each type family (SIMD for the K-quants, scalar for the legacy
 * types), plus a fixed cost per token; the calibration scales both to this CPU.
 */

/**
 * Decode speed on the reference machine (2-core x86-64 VM, headless Chromium 156, wllama 3.13, one
 * thread, nothing else running): the 86M-parameter probe of 2026-11-27 (Q4_K 37.7, Q4_0 18.9, Q8_0
 * 16.8, F16 13.0 tok/s; stories260K 493 tok/s for the fixed cost), per byte of weights. The bench
 * fits the same table from its own run (`speedTable` in bench/results/inference.json); its
 * 2026-12-01 run was taken under a load average of ~20 and is not used (see the README).
 * `referenceScore` is `calibrate()` there with a core to itself (its best rounds: 1075–1115).
 */
export const SPEED_TABLE = {
	measured: '2026-11-27 probe, 2-core x86-64 VM, headless Chromium 156, wllama 3.13, 1 thread',
	referenceScore: 1100,
	referenceThreads: 1,
	/** Per-token cost of a model with (almost) no weights: stories260K at 493 tok/s. */
	fixedMsPerToken: 2,
	/** Decode time per byte of weights, per type family, in nanoseconds. */
	nsPerByte: { Q4_K: 0.51, Q4_0: 1.05, Q8_0: 0.63, F16: 0.44 }
} as const;

export type WeightFamily = keyof typeof SPEED_TABLE.nsPerByte;

/** A second thread gave ×1.72 on Q4_K (1 → 2 threads); more threads are assumed to add as much each. */
const THREAD_GAIN = 0.72;
export function threadSpeedup(threads: number): number {
	return 1 + THREAD_GAIN * (Math.max(1, threads) - 1);
}

/** Below this a reply crawls: the fit verdict warns ("fits, but ≈ 2 tok/s here"). */
export const SLOW_TOKENS_PER_SECOND = 5;

/**
 * Which measured family a quantization type runs like: the K-quants share wllama's SIMD kernels,
 * the legacy block types and the i-quants its scalar ones; `measured` says whether the type itself
 * was in the bench.
 */
export function weightFamily(
	quant: string | null
): { family: WeightFamily; measured: boolean } | null {
	if (!quant) return null;
	const q = quant.toUpperCase().replace(/^UD-/, '');
	if (/^Q4_K/.test(q)) return { family: 'Q4_K', measured: true };
	if (/^Q[2-6]_K/.test(q)) return { family: 'Q4_K', measured: false };
	if (q === 'Q4_0') return { family: 'Q4_0', measured: true };
	if (/^(Q4_1|Q5_0|Q5_1|IQ\d|MXFP4)/.test(q)) return { family: 'Q4_0', measured: false };
	if (q === 'Q8_0') return { family: 'Q8_0', measured: true };
	if (q === 'F16') return { family: 'F16', measured: true };
	if (q === 'BF16' || q === 'F32') return { family: 'F16', measured: false };
	return null;
}

export interface SpeedInput {
	sizeBytes: number;
	quant: string | null;
	/** CPU threads the app would run this model on (`chooseThreads`). */
	threads: number;
	/** This device's calibration score. */
	score: number;
}

export interface SpeedPrediction {
	tokensPerSecond: number;
	/** False when the weight type was not itself measured (a sibling type's figure is used). */
	measuredType: boolean;
	slow: boolean;
}

export function predictDecodeSpeed(input: SpeedInput): SpeedPrediction | null {
	const family = weightFamily(input.quant);
	if (!family || !(input.score > 0) || !(input.sizeBytes > 0)) return null;
	const t = SPEED_TABLE;
	const msAtReference = t.fixedMsPerToken + input.sizeBytes * t.nsPerByte[family.family] * 1e-6;
	const ms =
		msAtReference *
		(t.referenceScore / input.score) *
		(threadSpeedup(t.referenceThreads) / threadSpeedup(input.threads));
	const tokensPerSecond = 1000 / ms;
	return {
		tokensPerSecond,
		measuredType: family.measured,
		slow: tokensPerSecond < SLOW_TOKENS_PER_SECOND
	};
}

/** "≈ 14 tok/s", "≈ 2.4 tok/s", "≈ 0.3 tok/s". */
export function formatSpeed(tokensPerSecond: number): string {
	const digits = tokensPerSecond >= 10 ? 0 : 1;
	return `≈ ${tokensPerSecond.toFixed(digits)} tok/s`;
}

/* ---- The stored calibration: measured once, redone when the browser or the backend changes. ---- */

export const CALIBRATION_STORAGE_KEY = 'citrate.speed-calibration';
const CALIBRATION_VERSION = 1;

export interface CalibrationIdentity {
	/** The browser and its version (the user agent string). */
	browser: string;
	/** The CPU backend the app would use, e.g. `wasm-multi:8`. */
	backend: string;
}

export interface StoredCalibration extends CalibrationIdentity {
	version: number;
	score: number;
	measuredAt: string;
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The stored calibration when it was made by this browser on this backend, else a fresh one (stored). */
export function loadOrCalibrate(
	storage: KeyValueStorage | null,
	identity: CalibrationIdentity,
	measure: () => number,
	now: () => Date = () => new Date()
): StoredCalibration {
	try {
		const raw = storage?.getItem(CALIBRATION_STORAGE_KEY);
		const stored = raw ? (JSON.parse(raw) as Partial<StoredCalibration>) : null;
		if (
			stored?.version === CALIBRATION_VERSION &&
			stored.browser === identity.browser &&
			stored.backend === identity.backend &&
			typeof stored.score === 'number' &&
			stored.score > 0
		)
			return stored as StoredCalibration;
	} catch {
		// unreadable: measure again
	}
	const fresh: StoredCalibration = {
		version: CALIBRATION_VERSION,
		...identity,
		score: measure(),
		measuredAt: now().toISOString()
	};
	try {
		storage?.setItem(CALIBRATION_STORAGE_KEY, JSON.stringify(fresh));
	} catch {
		// storage full or blocked: the prediction still works for this visit
	}
	return fresh;
}
