import { LoggerWithoutDebug, Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { afterEach, describe, expect, test } from 'vitest';
import {
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

async function load(files: File[]): Promise<Wllama> {
	const wllama = new Wllama(
		{ default: wasmUrl },
		{ logger: LoggerWithoutDebug, suppressNativeLog: true }
	);
	wllama.setCompat(null); // never fetch the CDN compat build; Chromium has JSPI and Memory64
	current = wllama;
	await wllama.loadModel(files, { n_threads: 1, n_ctx: 512, n_parallel: 1 });
	return wllama;
}

const file = (bytes: Uint8Array, name: string): File => new File([bytes as BlobPart], name);

describe('generated GGUF models in wllama', () => {
	test('a random-weight Q8_0 model loads and generates tokens', async () => {
		const wllama = await load([file(makeTinyLlamaGguf({ weightType: 'Q8_0' }), 'tiny.gguf')]);
		expect(wllama.getModelMetadata().hparams.nLayer).toBe(2);
		const res = await wllama.createCompletion({
			prompt: 'Once upon a time',
			max_tokens: 12,
			temperature: 0
		});
		console.log(JSON.stringify(res.choices[0]));
		expect(res.usage.completion_tokens).toBe(12);
		expect(res.choices[0]!.text.length).toBeGreaterThan(0);
	});

	test('a 3-shard split model loads from shards given in shuffled order and generates', async () => {
		const shards = splitGguf(makeTinyLlamaGguf({ weightType: 'Q4_K', seed: 7 }), 3);
		const files = shards.map((s, i) => file(s, shardFileName('tiny-llama-Q4_K', i + 1, 3)));
		const wllama = await load([files[2]!, files[0]!, files[1]!]);
		const res = await wllama.createCompletion({ prompt: 'Hello', max_tokens: 8, temperature: 0.8 });
		console.log(JSON.stringify(res.choices[0]));
		expect(res.usage.completion_tokens).toBe(8);
	});

	const REPLY =
		'Here is **code**:\n\n```js\nconsole.log("hi");\n```\n\nDone <img src=x onerror=alert(1)> é 🍋.';

	test('the scripted model replies exactly its script, greedy and sampled', async () => {
		const wllama = await load([file(makeScriptedLlamaGguf({ reply: REPLY }), 'scripted.gguf')]);
		for (const temperature of [0, 0.8]) {
			const res = await wllama.createChatCompletion({
				messages: [
					{ role: 'system', content: 'You are helpful.' },
					{ role: 'user', content: `Say something ${temperature} 🙂 <b>` }
				],
				temperature,
				max_tokens: 400
			});
			console.log(JSON.stringify(res.choices[0]));
			expect(res.choices[0]!.message.content).toBe(REPLY);
			expect(res.choices[0]!.finish_reason).toBe('stop');
		}
	});
});
