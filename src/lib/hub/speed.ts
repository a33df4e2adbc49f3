/**
 * "How fast will this variant generate here?" Decode speed estimated from the measurements of
 * wllama 3.13 on a 2-core laptop-class CPU (shared/design/measurements.md): each weight type reads
 * its parameters at a measured rate, plus a fixed ~2 ms per token that dominates tiny models.
 * Pure arithmetic, so the same estimate serves the model page, the recommendations and Quick start.
 */
import { nominalBitsPerWeight } from './quant';

/** Fixed cost per generated token (sampling, graph, wasm calls): tiny models top out near 500 tok/s. */
const FIXED_SECONDS_PER_TOKEN = 0.002;

/**
 * Parameters decoded per second on 2 threads, from the 86M-parameter probe (Q4_K 65.0, Q6_K 64.7,
 * Q4_0 34.5, Q8_0 29.7, F16 22.3 tok/s, each less the fixed cost). F32 is extrapolated (twice F16's
 * bytes per weight); the other legacy and scalar types are taken as Q4_0's.
 */
const PARAMS_PER_SECOND: Record<string, number> = {
	K: 6.4e9,
	Q4_0: 3.2e9,
	Q8_0: 2.7e9,
	F16: 2.0e9,
	F32: 1.0e9,
	SCALAR: 3.0e9
};

function rateOf(quant: string | null): number {
	if (quant === null) return PARAMS_PER_SECOND['SCALAR']!;
	if (quant === 'F16' || quant === 'BF16') return PARAMS_PER_SECOND['F16']!;
	if (quant === 'F32') return PARAMS_PER_SECOND['F32']!;
	if (quant === 'Q8_0') return PARAMS_PER_SECOND['Q8_0']!;
	if (quant === 'Q4_0') return PARAMS_PER_SECOND['Q4_0']!;
	if (/^(Q[2-6]_K|IQ[1-4]_(XXS|XS|S|M)|TQ[12]_0)/.test(quant)) return PARAMS_PER_SECOND['K']!;
	return PARAMS_PER_SECOND['SCALAR']!;
}

/** Measured with 2 threads; 1 thread ran at 0.58× (Q4_K 37.7 vs 65.0), so scale by threads^0.8. */
export function threadFactor(cores: number): number {
	const threads = Math.max(1, Math.min(8, Math.floor(cores || 1)));
	return (threads / 2) ** 0.8;
}

export interface SpeedInput {
	quant: string | null;
	weightsBytes: number;
	/** From the GGUF header or the Hub; else derived from the size and the type's bits per weight. */
	parameterCount?: number | null;
	/** `navigator.hardwareConcurrency`. */
	cores: number;
}

/** Estimated decode speed (tokens per second) on the CPU of this device. */
export function estimateTokensPerSecond(input: SpeedInput): number {
	const bpw = nominalBitsPerWeight(input.quant) ?? 4.9;
	const params =
		input.parameterCount && input.parameterCount > 0
			? input.parameterCount
			: (input.weightsBytes * 8) / bpw;
	const seconds = params / (rateOf(input.quant) * threadFactor(input.cores));
	return 1 / (FIXED_SECONDS_PER_TOKEN + seconds);
}

/** Below this a reply of a few hundred tokens takes minutes: the model page says "slow". */
export const SLOW_TOKENS_PER_SECOND = 10;
/** Quick start and the recommendations want at least this for a chat that feels alive. */
export const USABLE_TOKENS_PER_SECOND = 6;

export function formatSpeed(tokensPerSecond: number): string {
	const value =
		tokensPerSecond >= 10
			? Math.round(tokensPerSecond).toString()
			: tokensPerSecond.toFixed(1).replace(/\.0$/, '');
	return `about ${value} tok/s`;
}

/**
 * The warning for an unquantized (F16/F32) variant, from the estimate for its own size: null when
 * it is fast enough here (a 1 MB F32 model runs at hundreds of tokens per second).
 */
export function floatSpeedNote(input: SpeedInput): string | null {
	if (input.quant !== 'F16' && input.quant !== 'F32' && input.quant !== 'BF16') return null;
	const speed = estimateTokensPerSecond(input);
	if (speed >= SLOW_TOKENS_PER_SECOND) return null;
	const k = estimateTokensPerSecond({
		...input,
		quant: 'Q4_K_M',
		weightsBytes: (input.weightsBytes * 4.89) / (nominalBitsPerWeight(input.quant) ?? 16)
	});
	return `${input.quant} is unquantized and slow at this size: ${formatSpeed(speed)} expected on this device, where its 4-bit K-quant would reach ${formatSpeed(k)}.`;
}
