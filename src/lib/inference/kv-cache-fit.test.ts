import { describe, expect, test } from 'vitest';
import {
	makeGgufHeader,
	makeTinyLlamaGguf,
	shardFileName,
	splitGguf,
	typed
} from '../../../tests/fixtures/gguf';
import { readGgufHeadDims, readModelHeadDims } from './gguf-header';
import { DEFAULT_TUNING, fitTuningToModel } from './tuning';

const blob = (bytes: Uint8Array<ArrayBuffer>) => new Blob([bytes]);

describe('readGgufHeadDims', () => {
	test('embedding ÷ heads, for K and V', async () => {
		const model = makeTinyLlamaGguf({ nEmbd: 256, nHead: 4, nHeadKv: 2, nLayer: 1 });
		expect(await readGgufHeadDims(blob(model))).toEqual({ k: 64, v: 64 });
	});

	test('the explicit key/value lengths win; other architectures’ keys are ignored', async () => {
		const header = makeGgufHeader({
			architecture: 'qwen3',
			metadata: {
				'llama.embedding_length': 8,
				'qwen3.embedding_length': 1024,
				'qwen3.attention.head_count': 16,
				'qwen3.attention.key_length': typed('u32', 128),
				'qwen3.attention.value_length': typed('u32', 96)
			},
			tensors: []
		});
		expect(await readGgufHeadDims(blob(header))).toEqual({ k: 128, v: 96 });
	});

	test('unknown: no head count, not GGUF, truncated', async () => {
		const header = makeGgufHeader({
			architecture: 'llama',
			metadata: { 'llama.embedding_length': 64 },
			tensors: []
		});
		expect(await readGgufHeadDims(blob(header))).toBeNull();
		expect(await readGgufHeadDims(new Blob(['not a model']))).toBeNull();
		const model = makeTinyLlamaGguf({ nEmbd: 256, nHead: 4 });
		expect(await readGgufHeadDims(blob(model.slice(0, 40)))).toBeNull();
	});

	test('a split model: from its first shard, given in any order', async () => {
		const shards = splitGguf(makeTinyLlamaGguf({ nEmbd: 256, nHead: 8 }), 3).map(
			(bytes, index) => new File([bytes.slice().buffer], shardFileName('tiny', index + 1, 3))
		);
		expect(await readModelHeadDims([shards[1]!, shards[2]!, shards[0]!])).toEqual({ k: 32, v: 32 });
	});
});

describe('fitTuningToModel', () => {
	test('keeps the q8_0 cache for heads a multiple of 32 wide, else llama.cpp’s f16', () => {
		expect(DEFAULT_TUNING.kvCacheType).toBe('q8_0');
		expect(fitTuningToModel(DEFAULT_TUNING, { k: 64, v: 64 })).toBe(DEFAULT_TUNING);
		// stories260K: 64 wide, 8 heads → 8-wide heads, which llama.cpp cannot store as q8_0.
		expect(fitTuningToModel(DEFAULT_TUNING, { k: 8, v: 8 })).not.toHaveProperty('kvCacheType');
		expect(fitTuningToModel(DEFAULT_TUNING, { k: 128, v: 80 })).not.toHaveProperty('kvCacheType');
		expect(fitTuningToModel(DEFAULT_TUNING, null)).not.toHaveProperty('kvCacheType');
		expect(fitTuningToModel({ nBatch: 32 }, null)).toEqual({ nBatch: 32 });
	});
});
