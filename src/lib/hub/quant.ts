/**
 * Quantization labels from GGUF file names, on `@huggingface/gguf`'s parser (which already knows
 * unsloth's `UD-` prefix and `*_K_XL` names), plus what the browser runtime makes of each type.
 */
import { GGUF_QUANT_ORDER, GGMLFileQuantizationType, parseGGUFQuantLabel } from '@huggingface/gguf';

export interface QuantLabel {
	/** As shown: `Q4_K_M`, `UD-Q4_K_XL`. */
	label: string;
	/** The type alone: `Q4_K_M`, `Q4_K_XL`. */
	quant: string;
	/** unsloth "dynamic" quant (`UD-` prefix). */
	dynamic: boolean;
}

/** The quant named in a file path (the last one in its file name), or null. */
export function parseQuantLabel(path: string): QuantLabel | null {
	const name = path.split('/').pop() ?? path;
	const raw = parseGGUFQuantLabel(name) ?? floatAlias(name);
	if (!raw) return null;
	const dynamic = raw.startsWith('UD-');
	const quant = dynamic ? raw.slice(3) : raw;
	return { label: raw, quant, dynamic };
}

/** Qwen and others spell the float types `fp16` / `fp32`, which the library does not know. */
function floatAlias(name: string): string | null {
	const match = /(?:^|[-_.])FP(16|32)(?=[-_.]|$)/.exec(name.toUpperCase());
	return match ? `F${match[1]}` : null;
}

/** Legacy block types: wllama's wasm has no SIMD kernels for them (measurements.md). */
const LEGACY = new Set([
	'Q4_0',
	'Q4_1',
	'Q5_0',
	'Q5_1',
	'Q8_0',
	'Q4_0_4_4',
	'Q4_0_4_8',
	'Q4_0_8_8'
]);
/** Other types that run on scalar code in wllama 3.13's wasm. */
const SCALAR = new Set(['IQ4_NL', 'BF16', 'MXFP4', 'MXFP4_MOE']);

export function isLegacyQuant(quant: string | null): boolean {
	return quant !== null && LEGACY.has(quant);
}

export const LEGACY_REASON =
	'Legacy quant: wllama’s WebAssembly build has no SIMD kernels for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0, so it generates about half as fast as a K-quant (measured: Q8_0 29.7 tok/s vs Q4_K 65.0 tok/s on 2 threads). Prefer Q4_K_M, Q5_K_M or Q6_K.';

/** Why this type will be slow in the browser, or null (F16/F32: `floatSpeedNote`, from the size). */
export function quantSpeedNote(quant: string | null): string | null {
	if (quant === null) return null;
	if (LEGACY.has(quant))
		return 'Legacy type: wllama’s WebAssembly has no SIMD kernels for it, so it generates about half as fast as a K-quant (measured 29.7 vs 65.0 tok/s for Q8_0 vs Q4_K).';
	if (SCALAR.has(quant))
		return `${quant} runs on scalar (non-SIMD) code in wllama’s WebAssembly build: expect about half the speed of a K-quant.`;
	return null;
}

/**
 * Nominal bits per weight of each type (llama.cpp's quantize table, Llama-class models). Used only
 * when the parameter count is unknown; otherwise bits per weight = file bytes × 8 / parameters.
 */
const NOMINAL_BPW: Record<string, number> = {
	F32: 32,
	F16: 16,
	BF16: 16,
	Q8_0: 8.5,
	Q6_K: 6.56,
	Q5_K_M: 5.69,
	Q5_K_S: 5.54,
	Q5_1: 6,
	Q5_0: 5.5,
	Q4_K_M: 4.89,
	Q4_K_S: 4.58,
	Q4_1: 5,
	Q4_0: 4.5,
	IQ4_NL: 4.5,
	IQ4_XS: 4.25,
	Q3_K_L: 4.27,
	Q3_K_M: 3.91,
	Q3_K_S: 3.5,
	IQ3_M: 3.66,
	IQ3_S: 3.44,
	IQ3_XS: 3.3,
	IQ3_XXS: 3.06,
	Q2_K: 3.0,
	Q2_K_S: 2.96,
	IQ2_M: 2.7,
	IQ2_S: 2.5,
	IQ2_XS: 2.31,
	IQ2_XXS: 2.06,
	IQ1_M: 1.75,
	IQ1_S: 1.56,
	TQ1_0: 1.69,
	TQ2_0: 2.06
};

export function nominalBitsPerWeight(quant: string | null): number | null {
	return quant === null ? null : (NOMINAL_BPW[quant] ?? null);
}

const ORDER = new Map<string, number>(
	GGUF_QUANT_ORDER.map((type, index) => [GGMLFileQuantizationType[type], index])
);

/** Sort key: biggest (F32) first, smallest last; unknown types at the end. */
export function quantRank(quant: string | null): number {
	return quant === null ? Number.MAX_SAFE_INTEGER : (ORDER.get(quant) ?? ORDER.size);
}
