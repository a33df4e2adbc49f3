import { describe, expect, test } from 'vitest';
import { groupVariants, isIncomplete, recommendVariant } from './variants';
import type { HubFile } from './types';

const GB = 1_000_000_000;
function file(path: string, size = GB): HubFile {
	return { path, size, sha256: 'a'.repeat(64), oid: 'b'.repeat(40) };
}

describe('groupVariants', () => {
	test('bartowski-style repo: one row per quant, sorted big to small, Q4_K_M recommended', () => {
		const variants = groupVariants([
			file('README.md', 10),
			file('Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', 4.92 * GB),
			file('Meta-Llama-3.1-8B-Instruct-Q8_0.gguf', 8.54 * GB),
			file('Meta-Llama-3.1-8B-Instruct-IQ4_XS.gguf', 4.45 * GB),
			file('Meta-Llama-3.1-8B-Instruct-Q6_K.gguf', 6.6 * GB),
			file('Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf', 5.73 * GB),
			file('Meta-Llama-3.1-8B-Instruct.imatrix', 5_000_000)
		]);
		expect(variants.map((v) => v.label)).toEqual(['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'IQ4_XS']);
		expect(variants.filter((v) => v.recommended).map((v) => v.label)).toEqual(['Q4_K_M']);
		expect(variants.find((v) => v.label === 'Q8_0')?.legacy).toBe(true);
		expect(variants.find((v) => v.label === 'Q6_K')?.legacy).toBe(false);
		expect(variants.every((v) => v.shardCount === 1)).toBe(true);
	});

	test('shards -00001-of-00003 group into one variant in shard order with the summed size', () => {
		const variants = groupVariants([
			file('tiny-llama-Q8_0-00003-of-00003.gguf', 3),
			file('tiny-llama-Q8_0-00001-of-00003.gguf', 1),
			file('tiny-llama-Q8_0-00002-of-00003.gguf', 2)
		]);
		expect(variants).toHaveLength(1);
		const [variant] = variants;
		expect(variant?.key).toBe('tiny-llama-Q8_0');
		expect(variant?.label).toBe('Q8_0');
		expect(variant?.shardCount).toBe(3);
		expect(variant?.totalBytes).toBe(6);
		expect(variant?.files.map((f) => f.path)).toEqual([
			'tiny-llama-Q8_0-00001-of-00003.gguf',
			'tiny-llama-Q8_0-00002-of-00003.gguf',
			'tiny-llama-Q8_0-00003-of-00003.gguf'
		]);
		// Only a legacy type: nothing recommended, and the row says legacy.
		expect(variant?.recommended).toBe(false);
		expect(variant?.legacy).toBe(true);
	});

	test('unsloth-style folders with UD- dynamic quants and mmproj files', () => {
		const variants = groupVariants([
			file('Q4_K_M/Llama-4-Scout-17B-16E-Instruct-Q4_K_M-00001-of-00002.gguf', 40 * GB),
			file('Q4_K_M/Llama-4-Scout-17B-16E-Instruct-Q4_K_M-00002-of-00002.gguf', 25 * GB),
			file('UD-Q4_K_XL/Llama-4-Scout-17B-16E-Instruct-UD-Q4_K_XL-00001-of-00002.gguf', 40 * GB),
			file('UD-Q4_K_XL/Llama-4-Scout-17B-16E-Instruct-UD-Q4_K_XL-00002-of-00002.gguf', 20 * GB),
			file('Llama-4-Scout-17B-16E-Instruct-UD-IQ1_S.gguf', 33 * GB),
			file('mmproj-F16.gguf', 0.8 * GB)
		]);
		expect(variants.map((v) => [v.label, v.quant, v.shardCount, v.totalBytes])).toEqual([
			['UD-Q4_K_XL', 'Q4_K_XL', 2, 60 * GB],
			['Q4_K_M', 'Q4_K_M', 2, 65 * GB],
			['UD-IQ1_S', 'IQ1_S', 1, 33 * GB]
		]);
		expect(variants.find((v) => v.recommended)?.label).toBe('Q4_K_M');
	});

	test('only UD- K-quants: the dynamic one is recommended', () => {
		const variants = groupVariants([
			file('Qwen3-8B-UD-Q4_K_XL.gguf'),
			file('Qwen3-8B-UD-Q2_K_XL.gguf'),
			file('Qwen3-8B-Q8_0.gguf')
		]);
		expect(variants.find((v) => v.recommended)?.label).toBe('UD-Q4_K_XL');
	});

	test('recommendation falls back Q4_K_M → Q5_K_M → Q6_K', () => {
		const q5 = groupVariants([file('m.Q6_K.gguf'), file('m.Q5_K_M.gguf'), file('m.Q8_0.gguf')]);
		expect(q5.find((v) => v.recommended)?.label).toBe('Q5_K_M');
		const q6 = groupVariants([file('m.Q6_K.gguf'), file('m.Q8_0.gguf'), file('m.Q4_0.gguf')]);
		expect(q6.find((v) => v.recommended)?.label).toBe('Q6_K');
		expect(recommendVariant([])).toBeNull();
	});

	test('TheBloke names and non-GGUF split parts', () => {
		const variants = groupVariants([
			file('deepseek-coder-6.7b-instruct.Q4_K_M.gguf', 4.08 * GB),
			file('deepseek-coder-6.7b-instruct.Q2_K.gguf', 2.83 * GB),
			file('llama-2-70b.Q8_0.gguf-split-a', 36 * GB),
			file('config.json', 100)
		]);
		expect(variants.map((v) => v.label)).toEqual(['Q4_K_M', 'Q2_K']);
	});

	test('ggml-org models repo: files without quants keep their stem; same labels are disambiguated', () => {
		const variants = groupVariants([
			file('tinyllamas/stories260K.gguf', 1_185_376),
			file('tinyllamas/stories15M-q4_0.gguf', 19_000_000),
			file('phi-2/ggml-model-q4_0.gguf', 1_600_000_000)
		]);
		const labels = variants.map((v) => v.label).sort();
		expect(labels).toEqual(['ggml-model-q4_0', 'stories15M-q4_0', 'stories260K']);
		expect(variants.find((v) => v.label === 'stories260K')?.quant).toBeNull();
		expect(variants.find((v) => v.label === 'stories260K')?.bitsPerWeight).toBeNull();
	});

	test('lower-case Qwen shards', () => {
		const variants = groupVariants([
			file('qwen2.5-coder-14b-instruct-q4_k_m-00001-of-00003.gguf', 3.99 * GB),
			file('qwen2.5-coder-14b-instruct-q4_k_m-00002-of-00003.gguf', 3.99 * GB),
			file('qwen2.5-coder-14b-instruct-q4_k_m-00003-of-00003.gguf', 1 * GB),
			file('qwen2.5-coder-14b-instruct-q8_0-00001-of-00004.gguf', 3.99 * GB)
		]);
		const q4 = variants.find((v) => v.label === 'Q4_K_M');
		expect(q4?.shardCount).toBe(3);
		expect(q4?.recommended).toBe(true);
		const q8 = variants.find((v) => v.label === 'Q8_0');
		expect(q8 && isIncomplete(q8)).toBe(true);
	});

	test('bits per weight: measured from the parameter count, nominal otherwise', () => {
		const [measured] = groupVariants([file('m-Q4_K_M.gguf', 4_683_073_952)], {
			parameterCount: 7_615_616_512
		});
		expect(measured?.bitsPerWeight).toBe(4.92);
		const [nominal] = groupVariants([file('m-Q4_K_M.gguf', 4_683_073_952)]);
		expect(nominal?.bitsPerWeight).toBe(4.89);
	});
});
