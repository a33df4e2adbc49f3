import { describe, expect, test } from 'vitest';
import {
	isLegacyQuant,
	nominalBitsPerWeight,
	parseQuantLabel,
	quantRank,
	quantSpeedNote
} from './quant';

describe('parseQuantLabel', () => {
	test.each([
		// unsloth
		['Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf', 'Q4_K_M', 'Q4_K_M', false],
		['Qwen2.5-Coder-7B-Instruct-UD-Q4_K_XL.gguf', 'UD-Q4_K_XL', 'Q4_K_XL', true],
		['UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf', 'UD-IQ1_S', 'IQ1_S', true],
		['BF16/Llama-4-Scout-17B-16E-Instruct-BF16-00001-of-00004.gguf', 'BF16', 'BF16', false],
		// bartowski
		['Meta-Llama-3.1-8B-Instruct-IQ4_XS.gguf', 'IQ4_XS', 'IQ4_XS', false],
		['Meta-Llama-3.1-8B-Instruct-Q6_K_L.gguf', 'Q6_K_L', 'Q6_K_L', false],
		['starcoder2-15b-instruct-v0.1-Q5_K_S.gguf', 'Q5_K_S', 'Q5_K_S', false],
		// TheBloke: dot separated
		['deepseek-coder-6.7b-instruct.Q4_K_M.gguf', 'Q4_K_M', 'Q4_K_M', false],
		['codellama-7b-instruct.Q8_0.gguf', 'Q8_0', 'Q8_0', false],
		// ggml-org / Qwen: lower case
		['qwen2.5-coder-7b-instruct-q4_k_m-00001-of-00002.gguf', 'Q4_K_M', 'Q4_K_M', false],
		['gemma-3-1b-it-f16.gguf', 'F16', 'F16', false],
		['model-bf16.gguf', 'BF16', 'BF16', false],
		['qwen2.5-coder-7b-instruct-fp16-00001-of-00004.gguf', 'F16', 'F16', false],
		// last quant in the name wins
		['Q8_0-distilled-from-F16-Q4_0.gguf', 'Q4_0', 'Q4_0', false]
	])('%s → %s', (name, label, quant, dynamic) => {
		expect(parseQuantLabel(name)).toEqual({ label, quant, dynamic });
	});

	test('names without a quant give null', () => {
		expect(parseQuantLabel('tinyllamas/stories260K.gguf')).toBeNull();
		expect(parseQuantLabel('ggml-model.gguf')).toBeNull();
	});

	test('the directory does not decide the label', () => {
		expect(parseQuantLabel('Q8_0/model-Q4_K_M.gguf')?.label).toBe('Q4_K_M');
	});
});

describe('quant facts', () => {
	test('legacy types are the non-K block types', () => {
		for (const quant of ['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0'])
			expect(isLegacyQuant(quant)).toBe(true);
		for (const quant of ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'IQ4_XS', 'F16', 'Q4_K_XL'])
			expect(isLegacyQuant(quant)).toBe(false);
		expect(isLegacyQuant(null)).toBe(false);
	});

	test('legacy types explain the measured slowdown', () => {
		expect(quantSpeedNote('Q8_0')).toMatch(/no SIMD kernels.*29\.7 vs 65\.0 tok\/s/);
		expect(quantSpeedNote('Q4_0')).toMatch(/half as fast/);
		expect(quantSpeedNote('Q4_K_M')).toBeNull();
		expect(quantSpeedNote('IQ4_NL')).toMatch(/scalar/);
	});

	test('nominal bits per weight', () => {
		expect(nominalBitsPerWeight('Q4_K_M')).toBe(4.89);
		expect(nominalBitsPerWeight('Q8_0')).toBe(8.5);
		expect(nominalBitsPerWeight('Q6_K_L')).toBeNull();
		expect(nominalBitsPerWeight(null)).toBeNull();
	});

	test('rank orders big to small', () => {
		const sorted = ['Q4_K_M', 'F16', 'Q8_0', 'IQ2_XS', 'Q6_K', 'Q4_0'].sort(
			(a, b) => quantRank(a) - quantRank(b)
		);
		expect(sorted).toEqual(['F16', 'Q8_0', 'Q6_K', 'Q4_K_M', 'Q4_0', 'IQ2_XS']);
	});
});
