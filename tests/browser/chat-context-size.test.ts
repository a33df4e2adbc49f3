import { describe, expect, test } from 'vitest';
import { ChatRepository } from '$lib/chat';
import { InferenceEngine } from '$lib/inference';
import { wllamaWasmUrl } from '$lib/inference/wasm-url';
import { openCitrateDB } from '$lib/storage/db';
import { ChatStore } from '$lib/stores/chat.svelte';
import { EngineStore, type EngineSettings } from '$lib/stores/engine.svelte';
import { makeScriptedLlamaGguf, makeTinyLlamaGguf } from '../fixtures/gguf';

/** Settings kept in memory, shared by the stores of one test (as IndexedDB would be). */
function memorySettings(): EngineSettings & { stored: number | null } {
	return {
		stored: null,
		async readContextSize() {
			return this.stored;
		},
		async writeContextSize(size) {
			this.stored = size;
		}
	};
}

function engineWith(settings: EngineSettings) {
	return new EngineStore(
		new InferenceEngine({ wasmUrl: wllamaWasmUrl }),
		{ list: async () => [], open: async () => [] },
		{},
		settings
	);
}

// The scripted model declares a trained context of 4096 tokens; the tiny llama 1536 here.
const scripted = () => new File([makeScriptedLlamaGguf({ reply: 'ok' })], 'ok.gguf');
const tiny = () => new File([makeTinyLlamaGguf({ contextLength: 1536 })], 'tiny.gguf');

describe('context size', () => {
	test('defaults to min(4096, trained); a choice reloads the model, trims to it, is capped and kept', async () => {
		const settings = memorySettings();
		const engine = engineWith(settings);
		const repo = new ChatRepository(() => openCitrateDB(`citrate-ctx-test-${crypto.randomUUID()}`));
		const chat = new ChatStore(engine, repo);
		await chat.init();

		const first = await engine.loadFiles([scripted()]);
		expect(first?.contextSize).toBe(4096);
		expect(engine.trainedContextSize).toBe(4096);
		expect(engine.contextChoices).toEqual([512, 1024, 2048, 4096]);

		const ask = async () => {
			for (let i = 0; i < 6; i++) await chat.send(`${i} ${'many words here '.repeat(10)}`);
		};
		await ask();
		expect(chat.usage).toMatchObject({ size: 4096, dropped: 0 });

		// Smaller window: the model is reloaded with it and the same history no longer fits whole.
		const smaller = await engine.setContextSize(512);
		expect(smaller?.contextSize).toBe(512);
		expect(engine.model?.contextSize).toBe(512);
		expect(engine.status).toBe('ready');
		expect(settings.stored).toBe(512);
		await chat.send('and now?');
		expect(chat.messages.at(-1)).toMatchObject({ content: 'ok', status: 'complete' });
		expect(chat.usage?.size).toBe(512);
		expect(chat.usage?.dropped).toBeGreaterThan(0);
		expect(chat.usage!.used).toBeLessThanOrEqual(512);

		// More than the model was trained on: capped to its trained length.
		expect((await engine.setContextSize(8192))?.contextSize).toBe(4096);
		expect(settings.stored).toBe(8192);

		// The choice is kept: a fresh store (a reload of the page) loads with it.
		await engine.setContextSize(1024);
		await engine.unload();
		const again = engineWith(settings);
		expect((await again.loadFiles([scripted()]))?.contextSize).toBe(1024);
		// And applies to another model, within what that one was trained on.
		expect((await again.loadFiles([tiny()]))?.contextSize).toBe(1024);
		await again.setContextSize(null);
		expect(again.model?.contextSize).toBe(1536);
		expect(again.contextChoices).toEqual([512, 1024, 1536]);
		await again.unload();
	});

	test('rejects a context size that is not a whole number of tokens', async () => {
		const engine = engineWith(memorySettings());
		await expect(engine.setContextSize(0)).rejects.toThrow(/whole number of tokens/);
		await expect(engine.setContextSize(1.5)).rejects.toThrow(/whole number of tokens/);
		expect(engine.contextPreference).toBeNull();
	});
});
