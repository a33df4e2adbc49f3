import { describe, expect, test } from 'vitest';
import { fromHalf, quantizeQ4_0, Q4_0_BLOCK_BYTES } from '../fixtures/gguf/numeric';

/** ggml's dequantize_row_q4_0: d · (nibble − 8); element j in the low nibble of byte j, j + 16 in its high one. */
function dequantize(block: Uint8Array): number[] {
	const d = fromHalf(block[0]! | (block[1]! << 8));
	const out: number[] = new Array(32);
	for (let j = 0; j < 16; j++) {
		out[j] = d * ((block[2 + j]! & 0x0f) - 8);
		out[j + 16] = d * ((block[2 + j]! >> 4) - 8);
	}
	return out;
}

describe('quantizeQ4_0', () => {
	test('values on the grid survive exactly, laid out as ggml reads them', () => {
		const src = Float32Array.from({ length: 32 }, (_, i) => ((i % 16) - 8) * 0.5);
		const out = new Uint8Array(Q4_0_BLOCK_BYTES);
		quantizeQ4_0(src, out, 0);
		expect(dequantize(out)).toEqual([...src]);
	});

	test('any block comes back within a step (half a step, but a full one where the top nibble clamps)', () => {
		const src = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i * 1.7) * 0.03);
		const out = new Uint8Array(Q4_0_BLOCK_BYTES);
		quantizeQ4_0(src, out, 0);
		const d = Math.abs(fromHalf(out[0]! | (out[1]! << 8)));
		dequantize(out).forEach((v, i) =>
			expect(Math.abs(v - src[i]!)).toBeLessThanOrEqual(
				Math.abs(v) > 7 * d - 1e-9 ? d * 1.01 : d / 2 + 1e-4 * d
			)
		);
	});
});
