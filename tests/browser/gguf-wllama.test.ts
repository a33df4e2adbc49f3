import { LoggerWithoutDebug, Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { afterEach, describe, expect, test } from 'vitest';
import {
	FIXTURE_REPLIES,
	makeScriptedLlamaGguf,
	makeTinyLlamaGguf,
	shardFileName,
	splitGguf
} from '../fixtures/gguf/index';

let current: Wllama | null = null;

afterEach(async () => {
	await current?.exit();
	current = null;
});

/** Offline wllama: wasm from the package (Vite `?url`), no CDN compat build, one thread. */
async function load(files: File[]): Promise<Wllama> {
	const wllama = new Wllama(
		{ default: wasmUrl },
		{ logger: LoggerWithoutDebug, suppressNativeLog: true }
	);
	wllama.setCompat(null);
	current = wllama;
	await wllama.loadModel(files, { n_threads: 1, n_ctx: 1024, n_parallel: 1 });
	return wllama;
}

const file = (bytes: Uint8Array<ArrayBuffer>, name: string): File => new File([bytes], name);

describe('generated random-weight models in wllama', () => {
	for (const weightType of ['F32', 'F16', 'Q8_0', 'Q4_K'] as const) {
		test(`${weightType}: loads and samples 48 tokens of valid text`, async () => {
			const wllama = await load([
				file(makeTinyLlamaGguf({ weightType, seed: 11 }), `tiny-${weightType}.gguf`)
			]);
			expect(wllama.getModelMetadata().hparams).toMatchObject({
				nLayer: 2,
				nEmbd: 256,
				nVocab: 512
			});
			expect(wllama.getChatTemplate()).toContain('<|im_start|>');
			// temperature 1.5 spreads the sampling over the whole vocabulary: byte tokens must stay unreachable
			const res = await wllama.createCompletion({
				prompt: 'Once upon a time ✨',
				max_tokens: 48,
				temperature: 1.5,
				seed: 3
			});
			const choice = res.choices[0]!;
			expect(res.usage.completion_tokens).toBe(48);
			expect(choice.finish_reason).toBe('length');
			expect(choice.text.length).toBeGreaterThan(0);
			expect(choice.text).not.toContain('\uFFFD');
		});
	}

	test('greedy decoding is deterministic', async () => {
		const wllama = await load([file(makeTinyLlamaGguf({ seed: 2 }), 'tiny.gguf')]);
		const run = async () =>
			(await wllama.createCompletion({ prompt: 'The cat', max_tokens: 16, temperature: 0 }))
				.choices[0]!.text;
		expect(await run()).toBe(await run());
	});

	test('a 3-shard split model loads from shards given in shuffled order and generates', async () => {
		const shards = splitGguf(makeTinyLlamaGguf({ weightType: 'Q4_K', seed: 7 }), 3);
		const files = shards.map((s, i) => file(s, shardFileName('tiny-llama-Q4_K', i + 1, 3)));
		const wllama = await load([files[2]!, files[0]!, files[1]!]);
		const res = await wllama.createChatCompletion({
			messages: [{ role: 'user', content: 'Hello' }],
			max_tokens: 8,
			temperature: 0.8
		});
		expect(res.usage.completion_tokens).toBe(8);
		expect(res.choices[0]!.message.content?.length).toBeGreaterThan(0);
	});
});

describe('the scripted model in wllama', () => {
	const EMOJI = 'Here is **code**:\n\n```js\nconsole.log("hi");\n```\n\nDone — é 🍋.';

	for (const [label, reply] of Object.entries({ ...FIXTURE_REPLIES, emoji: EMOJI })) {
		test(`${label}: replies exactly its script, greedy and at temperature 0.8`, async () => {
			const wllama = await load([file(makeScriptedLlamaGguf({ reply }), 'scripted.gguf')]);
			for (const temperature of [0, 0.8]) {
				const res = await wllama.createChatCompletion({
					messages: [
						{ role: 'system', content: 'You are helpful.' },
						{ role: 'user', content: `Anything at ${temperature} 🙂 <b>${reply}</b>` }
					],
					temperature,
					max_tokens: 1000
				});
				expect(res.choices[0]!.message.content).toBe(reply);
				expect(res.choices[0]!.finish_reason).toBe('stop');
			}
		});
	}

	test('streaming deltas add up to the script, also in a multi-turn chat', async () => {
		const reply = FIXTURE_REPLIES.markdown;
		const wllama = await load([file(makeScriptedLlamaGguf({ reply }), 'scripted.gguf')]);
		let text = '';
		const stream = await wllama.createChatCompletion({
			messages: [
				{ role: 'user', content: 'first' },
				{ role: 'assistant', content: reply },
				{ role: 'user', content: 'again' }
			],
			stream: true,
			temperature: 0.8,
			max_tokens: 1000
		});
		for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
		expect(text).toBe(reply);
	});

	test('loop: the script repeats until max_tokens', async () => {
		const wllama = await load([
			file(makeScriptedLlamaGguf({ reply: 'ab', loop: true }), 'loop.gguf')
		]);
		const res = await wllama.createChatCompletion({
			messages: [{ role: 'user', content: 'go' }],
			temperature: 0,
			max_tokens: 9
		});
		expect(res.choices[0]!.finish_reason).toBe('length');
		expect(res.choices[0]!.message.content).toMatch(/^(ab)+a?$/);
		expect(res.usage.completion_tokens).toBe(9);
		// typical repeat, frequency and presence penalties (llama-server names: wllama passes them through)
		const chat = (penalties: Record<string, number>) =>
			wllama.createChatCompletion({
				messages: [{ role: 'user', content: 'go' }],
				temperature: 0.8,
				max_tokens: 80,
				...penalties
			});
		const typical = {
			repeat_penalty: 1.3,
			frequency_penalty: 0.5,
			presence_penalty: 0.5,
			repeat_last_n: 64
		};
		expect((await chat(typical)).choices[0]!.message.content).toBe('ab'.repeat(40));
		// control: penalties beyond the logit gap of 100 do break it, so the ones above were applied
		expect((await chat({ frequency_penalty: 60 })).choices[0]!.message.content).not.toBe(
			'ab'.repeat(40)
		);
	});
});
