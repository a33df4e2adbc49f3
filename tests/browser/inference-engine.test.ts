import { afterEach, describe, expect, test } from 'vitest';
import { AppError } from '$lib/errors';
import { DEFAULT_SAMPLING, InferenceEngine, type GenerationEvent } from '$lib/inference';
import { wllamaWasmUrl } from '$lib/inference/wasm-url';
import {
	makeScriptedLlamaGguf,
	makeTinyLlamaGguf,
	shardFileName,
	splitGguf
} from '../fixtures/gguf';

const greedy = { ...DEFAULT_SAMPLING, temperature: 0, seed: 1, maxTokens: 64 };
const engines: InferenceEngine[] = [];

function engine(): InferenceEngine {
	const created = new InferenceEngine({ wasmUrl: wllamaWasmUrl });
	engines.push(created);
	return created;
}

afterEach(async () => {
	await Promise.all(engines.splice(0).map((e) => e.unload()));
});

async function collect(events: AsyncIterable<GenerationEvent>) {
	let text = '';
	let done: Extract<GenerationEvent, { type: 'done' }> | undefined;
	for await (const event of events) {
		if (event.type === 'token') text += event.text;
		else done = event;
	}
	return { text, stats: done?.stats };
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(AppError);
		return error as AppError;
	}
	throw new Error('expected a rejection');
}

describe('InferenceEngine (real wllama)', () => {
	test('loads a generated model, reports it, and streams the scripted reply through its chat template', async () => {
		const reply = 'Hello from **Citrate**: `code` and more.';
		const e = engine();
		const model = await e.load([new File([makeScriptedLlamaGguf({ reply })], 'scripted.gguf')], {
			contextSize: 512
		});
		expect(model).toMatchObject({ name: 'scripted.gguf', contextSize: 512, files: 1 });
		expect(model.chatTemplate).toContain('im_start');
		expect(['wasm-single', 'wasm-multi', 'webgpu']).toContain(model.backend);
		const { text, stats } = await collect(
			e.generate([{ role: 'user', content: 'Say something' }], { sampling: greedy })
		);
		expect(text).toBe(reply);
		expect(stats?.finishReason).toBe('stop');
		expect(stats?.completionTokens).toBeGreaterThan(1);
		expect(stats?.promptTokens).toBeGreaterThan(0);
		expect(stats?.timeToFirstTokenMs).toBeGreaterThan(0);
	});

	test('stops within 100 ms of an abort, keeps the text so far, and answers again afterwards', async () => {
		const e = engine();
		await e.load(
			[new File([makeScriptedLlamaGguf({ reply: 'again and ', loop: true })], 'loop.gguf')],
			{ contextSize: 2048 }
		);
		const controller = new AbortController();
		let text = '';
		let abortedAt = 0;
		let finishReason = '';
		for await (const event of e.generate([{ role: 'user', content: 'go' }], {
			sampling: { ...greedy, maxTokens: 1500 },
			signal: controller.signal
		})) {
			if (event.type === 'token') {
				text += event.text;
				if (text.length > 40 && !abortedAt) {
					abortedAt = performance.now();
					controller.abort();
				}
			} else finishReason = event.stats.finishReason;
		}
		const stopMs = performance.now() - abortedAt;
		expect(finishReason).toBe('aborted');
		expect(stopMs).toBeLessThan(100);
		expect(text.startsWith('again and again')).toBe(true);
		const next = await collect(
			e.generate([{ role: 'user', content: 'go' }], { sampling: { ...greedy, maxTokens: 6 } })
		);
		expect(next.text.length).toBeGreaterThan(0);
		expect(next.stats?.finishReason).toBe('length');
	});

	test('garbage, corrupt and truncated files fail with GGUF_INVALID, and the engine recovers without a reload', async () => {
		const e = engine();
		const garbage = new File([new TextEncoder().encode('<html>not a model</html>')], 'x.gguf');
		expect((await caught(e.load([garbage]))).code).toBe('GGUF_INVALID');
		// Right magic and version, nonsense after: llama.cpp itself rejects it.
		const header = new Uint8Array(64).fill(0xff);
		header.set([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]);
		const error = await caught(e.load([new File([header], 'bad.gguf')], { timeoutMs: 30_000 }));
		expect(error.code).toBe('GGUF_INVALID');
		const whole = makeTinyLlamaGguf({ seed: 3 });
		const cut = new File([whole.slice(0, Math.floor(whole.length / 2))], 'cut.gguf');
		expect((await caught(e.load([cut], { timeoutMs: 30_000 }))).code).toBe('GGUF_INVALID');
		expect(e.model).toBeNull();
		await caught(collect(e.generate([{ role: 'user', content: 'hi' }], { sampling: greedy }))).then(
			(err) => expect(err.code).toBe('ENGINE_NOT_LOADED')
		);
		const model = await e.load([new File([makeScriptedLlamaGguf({ reply: 'ok' })], 'ok.gguf')]);
		expect(model.name).toBe('ok.gguf');
		expect(
			(await collect(e.generate([{ role: 'user', content: 'hi' }], { sampling: greedy }))).text
		).toBe('ok');
	});

	test('loads sharded models (any order), switches models and unloads', async () => {
		const e = engine();
		const shards = splitGguf(makeTinyLlamaGguf({ seed: 5, weightType: 'Q8_0' }), 3).map(
			(bytes, i) => new File([bytes], shardFileName('tiny', i + 1, 3))
		);
		const model = await e.load([shards[2]!, shards[0]!, shards[1]!], { contextSize: 256 });
		expect(model).toMatchObject({ name: 'tiny.gguf', files: 3, contextSize: 256 });
		const out = await collect(
			e.generate([{ role: 'user', content: 'hi' }], { sampling: { ...greedy, maxTokens: 5 } })
		);
		expect(out.stats?.completionTokens).toBeGreaterThan(0);
		const second = await e.load([
			new File([makeScriptedLlamaGguf({ reply: 'switched' })], 's.gguf')
		]);
		expect(second.name).toBe('s.gguf');
		expect(
			(await collect(e.generate([{ role: 'user', content: 'x' }], { sampling: greedy }))).text
		).toBe('switched');
		await e.unload();
		expect(e.model).toBeNull();
	});

	test('heads too narrow for the default q8_0 KV cache (8 wide, like stories260K) load with f16 and reply', async () => {
		const e = engine();
		const file = new File(
			[makeTinyLlamaGguf({ seed: 3, nEmbd: 64, nHead: 8, nLayer: 2, chatTemplate: null })],
			'narrow.gguf'
		);
		await e.load([file], { contextSize: 256 });
		const { stats } = await collect(
			e.generate([{ role: 'user', content: 'Once upon a time' }], {
				sampling: { ...greedy, maxTokens: 4 }
			})
		);
		expect(stats?.completionTokens).toBeGreaterThan(0);
	});

	test('a load that never finishes ends with ENGINE_LOAD_TIMEOUT', async () => {
		const e = engine();
		const error = await caught(
			e.load([new File([makeTinyLlamaGguf({ seed: 9 })], 't.gguf')], { timeoutMs: 1 })
		);
		expect(error.code).toBe('ENGINE_LOAD_TIMEOUT');
		const model = await e.load([new File([makeScriptedLlamaGguf({ reply: 'fine' })], 'f.gguf')]);
		expect(model.name).toBe('f.gguf');
	});

	test('a context that cannot fit in memory fails with ENGINE_OOM, and a normal load works after', async () => {
		const e = engine();
		const file = new File(
			[makeTinyLlamaGguf({ seed: 2, nEmbd: 256, nLayer: 4, nHead: 4, nHeadKv: 4 })],
			'm.gguf'
		);
		// 8M tokens of KV cache: ~31 GB, far beyond the wasm heap.
		const error = await caught(e.load([file], { contextSize: 8_000_000, timeoutMs: 60_000 }));
		expect(error.code).toBe('ENGINE_OOM');
		expect(error.message).toMatch(/smaller/);
		const model = await e.load([file], { contextSize: 256 });
		expect(model.contextSize).toBe(256);
	});
});
