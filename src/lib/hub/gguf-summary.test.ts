import { describe, expect, test } from 'vitest';
import { summarizeGguf } from './gguf-summary';

const tensor = (name: string, ...shape: number[]) => ({
	name,
	n_dims: shape.length,
	shape: shape.map(BigInt),
	dtype: 0,
	offset: 0n
});

const header = (tensors: ReturnType<typeof tensor>[], metadata: Record<string, unknown> = {}) => ({
	metadata: { 'general.architecture': 'llama', ...metadata } as never,
	tensorInfos: tensors,
	tensorDataOffset: 0n
});

describe('summarizeGguf: the share of weights decode only looks up', () => {
	const layers = [tensor('blk.0.attn_q.weight', 8, 8), tensor('blk.0.ffn_up.weight', 8, 16)];

	test('untied: the token embeddings, by elements of every tensor', () => {
		const s = summarizeGguf(
			header([tensor('token_embd.weight', 8, 24), ...layers, tensor('output.weight', 8, 24)])
		);
		// 192 of 192 + 64 + 128 + 192 elements
		expect(s.lookupOnlyShare).toBeCloseTo(192 / 576, 10);
	});

	test('tied (no output matrix): the embeddings are the output matrix, nothing is lookup-only', () => {
		expect(
			summarizeGguf(header([tensor('token_embd.weight', 8, 24), ...layers])).lookupOnlyShare
		).toBe(0);
	});

	test('a shard of a split file cannot say', () => {
		const s = summarizeGguf(
			header([tensor('token_embd.weight', 8, 24), ...layers], { 'split.count': 3 })
		);
		expect(s.lookupOnlyShare).toBeNull();
	});
});
