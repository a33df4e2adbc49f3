import { gguf, ggufAllShards, GGUFValueType } from '@huggingface/gguf';
import { describe, expect, test } from 'vitest';
import {
	impliedGgufFileSize,
	makeGgufHeader,
	makeScriptedLlamaGguf,
	makeTinyLlamaGguf,
	parseGgufHeader,
	segmentReply,
	shardFileName,
	splitGguf,
	typed
} from '../fixtures/gguf/index';
import { dequantizeQ4_K, dequantizeQ8_0, fromHalf, toHalf } from '../fixtures/gguf/numeric';

/**
 * A fetch that serves in-memory files with HTTP Range, as the Hub's CDN does. A file may be "virtual":
 * its bytes followed by zeros up to `sizes[url]`.
 */
function fetchFrom(
	files: Record<string, Uint8Array>,
	sizes: Record<string, number> = {}
): typeof fetch {
	return (async (input: string | URL | Request, init?: RequestInit) => {
		const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
		const stored = files[url];
		if (!stored) return new Response('not found', { status: 404 });
		const total = Math.max(stored.length, sizes[url] ?? 0);
		const slice = (start: number, end: number): Uint8Array<ArrayBuffer> => {
			const out = new Uint8Array(end - start);
			if (start < stored.length) out.set(stored.subarray(start, Math.min(end, stored.length)));
			return out;
		};
		const range = new Headers(init?.headers).get('range');
		const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
		if (!m) return new Response(slice(0, total), { status: 200 });
		const start = Number(m[1]);
		const end = Math.min(m[2] ? Number(m[2]) : total - 1, total - 1);
		return new Response(slice(start, end + 1), {
			status: 206,
			headers: { 'Content-Range': `bytes ${start}-${end}/${total}` }
		});
	}) as typeof fetch;
}

const parse = async (bytes: Uint8Array, virtualSize = 0) => {
	const out = await gguf('https://cdn.test/model.gguf', {
		fetch: fetchFrom(
			{ 'https://cdn.test/model.gguf': bytes },
			{ 'https://cdn.test/model.gguf': virtualSize }
		),
		typedMetadata: true,
		computeParametersCount: true
	});
	// plain view of the metadata (the library types it per architecture)
	return { ...out, metadata: out.metadata as unknown as Record<string, unknown> };
};

async function sha256(bytes: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes.slice());
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function tensorBytes(file: Uint8Array, name: string): Uint8Array {
	const h = parseGgufHeader(file);
	const t = h.tensors.find((x) => x.name === name);
	if (!t) throw new Error(`no tensor ${name}`);
	return file.subarray(h.dataOffset + t.offset, h.dataOffset + t.offset + t.size);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

function f32Values(bytes: Uint8Array): Float32Array {
	return new Float32Array(bytes.slice().buffer);
}

describe('GGUF writer round-trips through @huggingface/gguf', () => {
	test('tiny Llama: metadata, tokenizer, chat template and tensor infos', async () => {
		const file = makeTinyLlamaGguf({ name: 'Round trip', nLayer: 3 });
		const { metadata, typedMetadata, tensorInfos, parameterCount } = await parse(file);
		expect(metadata['general.architecture']).toBe('llama');
		expect(metadata['general.name']).toBe('Round trip');
		expect(metadata.version).toBe(3);
		expect(typedMetadata['llama.block_count']).toEqual({ value: 3, type: GGUFValueType.UINT32 });
		expect(typedMetadata['llama.rope.freq_base']).toEqual({
			value: 10000,
			type: GGUFValueType.FLOAT32
		});
		expect(typedMetadata['tokenizer.ggml.add_bos_token']).toEqual({
			value: true,
			type: GGUFValueType.BOOL
		});
		const tokens = metadata['tokenizer.ggml.tokens'] as string[];
		expect(tokens).toHaveLength(512);
		expect(new Set(tokens).size).toBe(tokens.length); // llama.cpp rejects duplicate tokens
		expect(tokens.slice(0, 5)).toEqual(['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>']);
		expect(tokens).toContain('<0x0A>');
		expect((metadata['tokenizer.ggml.token_type'] as number[]).length).toBe(512);
		expect(metadata['tokenizer.chat_template']).toContain('<|im_start|>');
		expect(tensorInfos).toHaveLength(1 + 9 * 3 + 2);
		const byName = new Map(tensorInfos.map((t) => [t.name, t]));
		expect(byName.get('token_embd.weight')?.shape).toEqual([256n, 512n]);
		expect(byName.get('blk.2.ffn_down.weight')?.shape).toEqual([512n, 256n]);
		expect(byName.get('blk.0.attn_norm.weight')?.dtype).toBe(0); // F32
		expect(byName.get('blk.0.attn_q.weight')?.dtype).toBe(8); // Q8_0
		const expected = 256 * 512 * 2 + 3 * (2 * 256 + 4 * 256 * 256 + 3 * 256 * 512) + 256;
		expect(parameterCount).toBe(expected);
		// the last tensor ends inside the file, and the file ends on the 32-byte alignment
		const h = parseGgufHeader(file);
		const last = h.tensors.at(-1)!;
		expect(h.dataOffset + last.offset + last.size).toBeLessThanOrEqual(file.length);
		expect(file.length % 32).toBe(0);
		expect(h.dataOffset % 32).toBe(0);
	});

	test('no chat template when chatTemplate is null', async () => {
		const { metadata } = await parse(makeTinyLlamaGguf({ chatTemplate: null }));
		expect(metadata['tokenizer.chat_template']).toBeUndefined();
	});

	test('weight types: F32, F16, Q8_0 and Q4_K tensors with real block sizes', async () => {
		const sizes: Record<string, number> = {};
		for (const weightType of ['F32', 'F16', 'Q8_0', 'Q4_K'] as const) {
			const file = makeTinyLlamaGguf({ weightType });
			const { tensorInfos, metadata } = await parse(file);
			const q = tensorInfos.find((t) => t.name === 'blk.0.attn_q.weight')!;
			expect(q.dtype).toBe({ F32: 0, F16: 1, Q8_0: 8, Q4_K: 12 }[weightType]);
			expect(metadata['general.file_type']).toBe({ F32: 0, F16: 1, Q8_0: 7, Q4_K: 15 }[weightType]);
			const bytes = tensorBytes(file, 'blk.0.attn_q.weight').length;
			sizes[weightType] = bytes;
		}
		const n = 256 * 256;
		expect(sizes).toEqual({ F32: n * 4, F16: n * 2, Q8_0: (n / 32) * 34, Q4_K: (n / 256) * 144 });
	});

	test('Q4_K falls back to Q8_0 for rows that are not whole 256-wide super-blocks', async () => {
		const { tensorInfos } = await parse(
			makeTinyLlamaGguf({ weightType: 'Q4_K', nEmbd: 96, nHead: 3, nFf: 256 })
		);
		const dtype = (name: string) => tensorInfos.find((t) => t.name === name)!.dtype;
		expect(dtype('blk.0.attn_q.weight')).toBe(8);
		expect(dtype('blk.0.ffn_down.weight')).toBe(12); // rows of nFf = 256
	});

	test('quantized weights decode (ggml block layouts) to the same random values as F32', () => {
		const ref = f32Values(
			tensorBytes(makeTinyLlamaGguf({ weightType: 'F32' }), 'blk.1.ffn_up.weight')
		);
		const n = ref.length;
		const f16 = tensorBytes(makeTinyLlamaGguf({ weightType: 'F16' }), 'blk.1.ffn_up.weight');
		const q8 = dequantizeQ8_0(
			tensorBytes(makeTinyLlamaGguf({ weightType: 'Q8_0' }), 'blk.1.ffn_up.weight'),
			0,
			n
		);
		const q4 = dequantizeQ4_K(
			tensorBytes(makeTinyLlamaGguf({ weightType: 'Q4_K' }), 'blk.1.ffn_up.weight'),
			0,
			n
		);
		const amax = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
		expect(amax).toBeGreaterThan(0.02);
		let e16 = 0;
		let e8 = 0;
		let e4 = 0;
		let sq4 = 0;
		for (let i = 0; i < n; i++) {
			e16 = Math.max(e16, Math.abs(fromHalf(f16[2 * i]! | (f16[2 * i + 1]! << 8)) - ref[i]!));
			e8 = Math.max(e8, Math.abs(q8[i]! - ref[i]!));
			e4 = Math.max(e4, Math.abs(q4[i]! - ref[i]!));
			sq4 += (q4[i]! - ref[i]!) ** 2;
		}
		expect(e16).toBeLessThan(amax / 1000);
		expect(e8).toBeLessThanOrEqual(amax / 127); // half a step of d = amax/127, plus f16 rounding of d
		expect(e4).toBeLessThan(amax / 7); // 4-bit: 15 steps over the sub-block range
		expect(Math.sqrt(sq4 / n)).toBeLessThan(amax / 25);
	});

	test('f16 conversion matches IEEE half for normals, subnormals, rounding and overflow', () => {
		expect(toHalf(1)).toBe(0x3c00);
		expect(toHalf(-2)).toBe(0xc000);
		expect(toHalf(65504)).toBe(0x7bff);
		expect(toHalf(1e6)).toBe(0x7c00);
		expect(toHalf(2 ** -24)).toBe(0x0001);
		expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // ties to even
		expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
		expect(fromHalf(toHalf(0.1))).toBeCloseTo(0.1, 4);
	});
});

describe('determinism', () => {
	test('same options give the same bytes and SHA-256; other seeds or types differ', async () => {
		const a = makeTinyLlamaGguf({ seed: 42, weightType: 'Q4_K' });
		const b = makeTinyLlamaGguf({ seed: 42, weightType: 'Q4_K' });
		const c = makeTinyLlamaGguf({ seed: 43, weightType: 'Q4_K' });
		expect(await sha256(a)).toBe(await sha256(b));
		expect(await sha256(a)).not.toBe(await sha256(c));
		expect(a.length).toBe(c.length);
		expect(await sha256(makeTinyLlamaGguf({ seed: 42, weightType: 'Q8_0' }))).not.toBe(
			await sha256(a)
		);
		const s1 = makeScriptedLlamaGguf({ reply: 'Same' });
		expect(await sha256(s1)).toBe(await sha256(makeScriptedLlamaGguf({ reply: 'Same' })));
		expect(await sha256(s1)).not.toBe(await sha256(makeScriptedLlamaGguf({ reply: 'Other' })));
	});
});

describe('splitGguf (gguf-split format)', () => {
	test('3 shards: split keys, metadata only in the first, tensors distributed and intact', async () => {
		const whole = makeTinyLlamaGguf({ weightType: 'Q8_0', seed: 5 });
		const shards = splitGguf(whole, 3);
		expect(shards).toHaveLength(3);
		const original = parseGgufHeader(whole);
		const names: string[] = [];
		for (const [i, shard] of shards.entries()) {
			const { typedMetadata, tensorInfos } = await parse(shard);
			expect(typedMetadata['split.no']).toEqual({ value: i, type: GGUFValueType.UINT16 });
			expect(typedMetadata['split.count']).toEqual({ value: 3, type: GGUFValueType.UINT16 });
			expect(typedMetadata['split.tensors.count']).toEqual({
				value: original.tensors.length,
				type: GGUFValueType.INT32
			});
			const keys = Object.keys(typedMetadata).filter(
				(k) => !['version', 'tensor_count', 'kv_count'].includes(k)
			);
			if (i === 0) expect(keys).toContain('tokenizer.ggml.tokens');
			else expect(keys.sort()).toEqual(['split.count', 'split.no', 'split.tensors.count']);
			expect(tensorInfos.length).toBeGreaterThan(0);
			for (const t of tensorInfos) {
				names.push(t.name);
				expect(sameBytes(tensorBytes(shard, t.name), tensorBytes(whole, t.name))).toBe(true);
			}
		}
		expect(names).toEqual(original.tensors.map((t) => t.name));
		// balanced: no shard holds more than half the data
		for (const s of shards) expect(s.length).toBeLessThan(whole.length / 2);
	});

	test('ggufAllShards reads the shards by their -0000N-of-0000M names and counts the same parameters', async () => {
		const whole = makeTinyLlamaGguf({ weightType: 'F16' });
		const shards = splitGguf(whole, 3);
		const files: Record<string, Uint8Array> = {};
		shards.forEach((s, i) => (files[`https://cdn.test/${shardFileName('tiny', i + 1, 3)}`] = s));
		const all = await ggufAllShards('https://cdn.test/tiny-00001-of-00003.gguf', {
			fetch: fetchFrom(files)
		});
		const single = await parse(whole);
		expect(all.shards).toHaveLength(3);
		expect(all.parameterCount).toBe(single.parameterCount);
	});

	test('shard names and bad arguments', () => {
		expect(shardFileName('model-Q8_0', 2, 3)).toBe('model-Q8_0-00002-of-00003.gguf');
		expect(() => shardFileName('m', 0, 3)).toThrow();
		expect(() => splitGguf(makeTinyLlamaGguf(), 1000)).toThrow(/tensors/);
		expect(splitGguf(makeTinyLlamaGguf(), 1)).toHaveLength(1);
	});
});

describe('makeGgufHeader (header-only virtual files)', () => {
	test('a Qwen2.5-7B-like header parses from the header bytes alone, with its parameter count', async () => {
		const nEmbd = 3584;
		const nFf = 18944;
		const nVocab = 152064;
		const kv = 512;
		const tensors = [{ name: 'token_embd.weight', shape: [nEmbd, nVocab], type: 'Q4_K' }];
		for (let i = 0; i < 28; i++) {
			tensors.push(
				{ name: `blk.${i}.attn_norm.weight`, shape: [nEmbd], type: 'F32' },
				{ name: `blk.${i}.attn_q.weight`, shape: [nEmbd, nEmbd], type: 'Q4_K' },
				{ name: `blk.${i}.attn_q.bias`, shape: [nEmbd], type: 'F32' },
				{ name: `blk.${i}.attn_k.weight`, shape: [nEmbd, kv], type: 'Q4_K' },
				{ name: `blk.${i}.attn_k.bias`, shape: [kv], type: 'F32' },
				{ name: `blk.${i}.attn_v.weight`, shape: [nEmbd, kv], type: 'Q6_K' },
				{ name: `blk.${i}.attn_v.bias`, shape: [kv], type: 'F32' },
				{ name: `blk.${i}.attn_output.weight`, shape: [nEmbd, nEmbd], type: 'Q4_K' },
				{ name: `blk.${i}.ffn_norm.weight`, shape: [nEmbd], type: 'F32' },
				{ name: `blk.${i}.ffn_gate.weight`, shape: [nEmbd, nFf], type: 'Q4_K' },
				{ name: `blk.${i}.ffn_up.weight`, shape: [nEmbd, nFf], type: 'Q4_K' },
				{ name: `blk.${i}.ffn_down.weight`, shape: [nFf, nEmbd], type: 'Q6_K' }
			);
		}
		tensors.push(
			{ name: 'output_norm.weight', shape: [nEmbd], type: 'F32' },
			{ name: 'output.weight', shape: [nEmbd, nVocab], type: 'Q6_K' }
		);
		const header = makeGgufHeader({
			architecture: 'qwen2',
			metadata: {
				'general.name': 'Qwen2.5 Coder 7B Instruct',
				'general.file_type': 15,
				'qwen2.block_count': 28,
				'qwen2.context_length': 32768,
				'qwen2.embedding_length': nEmbd,
				'qwen2.rope.freq_base': 1000000,
				'qwen2.attention.layer_norm_rms_epsilon': 1e-6,
				'tokenizer.ggml.model': 'gpt2',
				'tokenizer.ggml.tokens': ['a', 'b', '<|im_end|>'],
				'tokenizer.ggml.token_type': [1, 1, 3],
				'tokenizer.ggml.add_bos_token': false,
				'tokenizer.ggml.eos_token_id': typed('u32', 151645)
			},
			tensors
		});
		expect(header.length % 32).toBe(0);
		expect(header.length).toBeLessThan(64 * 1024);
		const size = impliedGgufFileSize(header);
		expect(size).toBeGreaterThan(4e9);
		const { typedMetadata, tensorInfos, parameterCount } = await parse(header, size);
		expect(typedMetadata['general.architecture']?.value).toBe('qwen2');
		expect(typedMetadata['qwen2.rope.freq_base']).toEqual({
			value: 1000000,
			type: GGUFValueType.FLOAT32
		});
		expect(typedMetadata['qwen2.context_length']).toEqual({
			value: 32768,
			type: GGUFValueType.UINT32
		});
		expect(typedMetadata['tokenizer.ggml.token_type']).toMatchObject({
			type: GGUFValueType.ARRAY,
			subType: GGUFValueType.INT32
		});
		expect(tensorInfos).toHaveLength(tensors.length);
		expect(parameterCount).toBeGreaterThan(7.5e9);
		expect(parameterCount).toBeLessThan(7.7e9);
	});
});

describe('scripted model', () => {
	test('the reply is cut into distinct pieces that rebuild it exactly', () => {
		const taken = new Set(['\n', 't\n', 'a']);
		for (const reply of [
			'aaaa',
			'abab abab abab',
			'x\n\n\n\n',
			'Hi 🍋🍋🍋 é\n```\ncode\n```',
			''
		]) {
			const pieces = segmentReply(reply, taken);
			expect(pieces.join('')).toBe(reply);
			expect(new Set(pieces).size).toBe(pieces.length);
			for (const p of pieces) expect(taken.has(p)).toBe(false);
		}
		expect(() => segmentReply('\u2581', taken)).toThrow();
	});

	test('vocabulary: one token per piece, no duplicates, ChatML template, reply tokens are text', async () => {
		const reply = 'The answer:\n\n```py\nprint(1)\n```\nThe answer: 42';
		const { metadata } = await parse(makeScriptedLlamaGguf({ reply, name: 'Scripted' }));
		const tokens = metadata['tokenizer.ggml.tokens'] as string[];
		expect(new Set(tokens).size).toBe(tokens.length);
		expect(metadata['general.name']).toBe('Scripted');
		expect(metadata['tokenizer.chat_template']).toContain("'<|im_start|>assistant\\n'");
		const pieces = tokens.slice(5 + 256).map((t) => t.replaceAll('\u2581', ' '));
		expect(pieces.join('')).toBe(reply);
	});
});

describe('benchmark-size model', () => {
	test('a ≥100M-parameter Q4_K model is generated in seconds', async () => {
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		const file = makeTinyLlamaGguf({ weightType: 'Q4_K', nEmbd: 768, nLayer: 12, nFf: 3072 });
		const wall = (performance.now() - t0) / 1000;
		const cpu = process.cpuUsage(cpu0);
		const cpuSeconds = (cpu.user + cpu.system) / 1e6;
		const { parameterCount } = await parse(file);
		expect(parameterCount).toBeGreaterThanOrEqual(100e6);
		console.log(
			`Q4_K ${(parameterCount / 1e6).toFixed(1)}M parameters, ${(file.length / 2 ** 20).toFixed(1)} MiB: ${cpuSeconds.toFixed(2)} s CPU, ${wall.toFixed(2)} s wall`
		);
		// CPU time, not wall time: the shared test machines are often oversubscribed
		expect(cpuSeconds).toBeLessThan(20);
	}, 60_000);
});
