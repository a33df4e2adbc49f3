import { describe, expect, test } from 'vitest';
import {
	makeGgufHeader,
	makeTinyLlamaGguf,
	shardFileName,
	splitGguf,
	typed
} from '../../../tests/fixtures/gguf';
import { chooseContextSize, contextSizeChoices } from './context-size';
import { readGgufContextLength, readModelContextLength } from './gguf-header';

describe('context size choice', () => {
	test('offers sizes up to the trained length, and the trained length itself', () => {
		expect(contextSizeChoices(2048)).toEqual([512, 1024, 2048]);
		expect(contextSizeChoices(32_768)).toEqual([512, 1024, 2048, 4096, 8192, 16_384, 32_768]);
		expect(contextSizeChoices(3000)).toEqual([512, 1024, 2048, 3000]);
		expect(contextSizeChoices(256)).toEqual([256]);
		expect(contextSizeChoices(null).at(-1)).toBe(32_768);
	});

	test('defaults to min(4096, trained) and never exceeds the trained length', () => {
		expect(chooseContextSize(null, 32_768)).toBe(4096);
		expect(chooseContextSize(null, 2048)).toBe(2048);
		expect(chooseContextSize(8192, 32_768)).toBe(8192);
		expect(chooseContextSize(8192, 2048)).toBe(2048);
		expect(chooseContextSize(1024, 2048)).toBe(1024);
		expect(chooseContextSize(null, null)).toBe(2048);
		expect(chooseContextSize(8192, null)).toBe(8192);
		expect(chooseContextSize(-5, 2048)).toBe(2048);
	});
});

describe('readGgufContextLength', () => {
	const blob = (bytes: Uint8Array) => new Blob([bytes.slice().buffer]);

	test('reads the trained context of a real model file', async () => {
		expect(await readGgufContextLength(blob(makeTinyLlamaGguf({ contextLength: 1536 })))).toBe(
			1536
		);
		expect(await readGgufContextLength(blob(makeTinyLlamaGguf()))).toBe(2048);
	});

	test('skips arrays and other keys, whatever their order and integer type', async () => {
		const header = makeGgufHeader({
			architecture: 'qwen2',
			metadata: {
				'tokenizer.ggml.tokens': Array.from({ length: 5000 }, (_, i) => `tok${i}`),
				'tokenizer.ggml.scores': Array.from({ length: 5000 }, (_, i) => i / 7),
				'llama.context_length': 999,
				'qwen2.context_length': typed('u64', 32_768n)
			},
			tensors: [{ name: 'token_embd.weight', shape: [8, 8], type: 'F32' }]
		});
		expect(await readGgufContextLength(blob(header))).toBe(32_768);
	});

	test('null for a file that is not GGUF, truncated, or without the key', async () => {
		expect(await readGgufContextLength(new Blob(['not a gguf file at all']))).toBeNull();
		const full = makeTinyLlamaGguf();
		expect(await readGgufContextLength(blob(full.subarray(0, 40)))).toBeNull();
		const header = makeGgufHeader({ architecture: 'llama', metadata: {}, tensors: [] });
		expect(await readGgufContextLength(blob(header))).toBeNull();
	});

	test('finds the header in the first shard of a split model, given in any order', async () => {
		const shards = splitGguf(makeTinyLlamaGguf({ contextLength: 4096 }), 3).map(
			(bytes, index) => new File([bytes.slice().buffer], shardFileName('tiny', index + 1, 3))
		);
		expect(await readModelContextLength([shards[2]!, shards[0]!, shards[1]!])).toBe(4096);
	});
});
