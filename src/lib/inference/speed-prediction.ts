/**
 * The one model of decode speed: "how fast will this variant reply here?" before the download, for
 * the variant rows, the F16/F32 warning, the fit verdict's "fits, but slow", the recommendations and
 * Quick start's choice. wllama's wasm kernels cost a roughly fixed time per byte of weights for each
 * type family (SIMD for the K-quants, scalar for the legacy types), plus a fixed cost per token. The
 * measured table is scaled to this CPU by its calibration (`speed-calibration.ts`, stored by
 * `speed-calibration-store.ts`); without one yet, the table is taken as it was measured. Pure.
 */

/**
 * Decode speed on the reference machine, fitted by `npm run bench:inference` (its `speedTable`):
 * the 2026-12-01 07:15 run (2-core x86-64 VM, headless Chromium 156, wllama 3.13, 2 threads, the
 * app's q8_0 KV cache; the bench in a CPU cgroup of its own beside other work), from the 107M models'
 * decode (one per weight type) and stories260K's for the fixed cost. The later runs check it (README).
 * `referenceScore` is that machine's calibration (`calibrate()`, optimized loop).
 */
export const SPEED_TABLE = {
	measured:
		'2026-12-01 bench:inference, 2-core x86-64 VM, headless Chromium 156, wllama 3.13, 2 threads, q8_0 KV',
	referenceScore: 1116,
	referenceThreads: 2,
	/** Per-token cost of a model with (almost) no weights: stories260K. */
	fixedMsPerToken: 1.2,
	/** Decode time per byte of the weights decode multiplies, per type family, in nanoseconds. */
	nsPerByte: { Q4_K: 0.253, Q4_0: 0.621, Q8_0: 0.229, F16: 0.188 }
} as const;

export type WeightFamily = keyof typeof SPEED_TABLE.nsPerByte;

/** A second thread gave ×1.62 on Q4_K (1 → 2 threads, 2026-12-01); more threads are assumed to add as much each. */
const THREAD_GAIN = 0.62;
export function threadSpeedup(threads: number): number {
	return 1 + THREAD_GAIN * (Math.max(1, threads) - 1);
}

/**
 * Below this a reply of a few hundred tokens takes minutes: the fit verdict warns ("fits, but
 * ≈ 2 tok/s here"), F16/F32 variants get their warning, the recommendations say "too slow" and
 * Quick start looks for a faster model.
 */
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
	/** Bytes of weights (the variant's files). */
	sizeBytes: number;
	quant: string | null;
	/** CPU threads the app would run this model on (`chooseThreads`). */
	threads: number;
	/** This device's calibration score; null before there is one (the table is used as measured). */
	score: number | null;
	/**
	 * The share of the weights decode never multiplies (untied token embeddings, from the GGUF
	 * header: `GgufSummary.lookupOnlyShare`); unknown counts every byte.
	 */
	lookupOnlyShare?: number | null;
}

export interface SpeedPrediction {
	tokensPerSecond: number;
	/** False when the weight type was not itself measured (a sibling type's figure is used). */
	measuredType: boolean;
	/** False while this device has no calibration yet: the reference machine's figure. */
	calibrated: boolean;
	slow: boolean;
}

export function predictDecodeSpeed(input: SpeedInput): SpeedPrediction | null {
	const family = weightFamily(input.quant);
	if (!family || !(input.sizeBytes > 0)) return null;
	if (input.score !== null && !(input.score > 0)) return null;
	const t = SPEED_TABLE;
	const score = input.score ?? t.referenceScore;
	const share = input.lookupOnlyShare ?? 0;
	const multipliedBytes = input.sizeBytes * (1 - Math.min(Math.max(share, 0), 0.9));
	const msAtReference = t.fixedMsPerToken + multipliedBytes * t.nsPerByte[family.family] * 1e-6;
	const ms =
		msAtReference *
		(t.referenceScore / score) *
		(threadSpeedup(t.referenceThreads) / threadSpeedup(input.threads));
	const tokensPerSecond = 1000 / ms;
	return {
		tokensPerSecond,
		measuredType: family.measured,
		calibrated: input.score !== null,
		slow: tokensPerSecond < SLOW_TOKENS_PER_SECOND
	};
}

/** "≈ 14 tok/s", "≈ 2.4 tok/s", "about 3 tok/s" (in sentences). */
export function formatSpeed(tokensPerSecond: number, prefix: '≈' | 'about' = '≈'): string {
	const value =
		tokensPerSecond >= 10
			? Math.round(tokensPerSecond).toString()
			: tokensPerSecond.toFixed(1).replace(/\.0$/, '');
	return `${prefix} ${value} tok/s`;
}

const FLOAT_BITS: Record<string, number> = { F16: 16, BF16: 16, F32: 32 };
/** Q4_K_M's nominal bits per weight (`nominalBitsPerWeight` in hub/quant.ts). */
const Q4_K_M_BITS = 4.89;

/**
 * The warning for an unquantized (F16/BF16/F32) variant, from the prediction for its own size: null
 * when it is fast enough here (a 1 MB F32 model runs at hundreds of tokens per second).
 */
export function floatSpeedNote(input: SpeedInput): string | null {
	const bits = input.quant ? FLOAT_BITS[input.quant] : undefined;
	if (bits === undefined) return null;
	const own = predictDecodeSpeed(input);
	if (!own?.slow) return null;
	const k = predictDecodeSpeed({
		...input,
		quant: 'Q4_K_M',
		sizeBytes: (input.sizeBytes * Q4_K_M_BITS) / bits
	});
	return `${input.quant} is unquantized and slow at this size: ${formatSpeed(own.tokensPerSecond, 'about')} expected on this device, where its 4-bit K-quant would reach ${formatSpeed(k?.tokensPerSecond ?? 0, 'about')}.`;
}
