import { describe, expect, test } from 'vitest';
import { ChatRepository } from '$lib/chat';
import { AppError } from '$lib/errors';
import { InferenceEngine } from '$lib/inference';
import { wllamaWasmUrl } from '$lib/inference/wasm-url';
import { openCitrateDB } from '$lib/storage/db';
import { ChatStore } from '$lib/stores/chat.svelte';
import { EngineStore } from '$lib/stores/engine.svelte';
import { makeScriptedLlamaGguf } from '../fixtures/gguf';

/** The chat store over the real engine (wllama, scripted models) and a fresh IndexedDB. */
async function setup(contextSize = 2048) {
	const name = `citrate-chat-test-${crypto.randomUUID()}`;
	const repo = new ChatRepository(() => openCitrateDB(name));
	const engine = new EngineStore(
		new InferenceEngine({ wasmUrl: wllamaWasmUrl }),
		{ list: async () => [], open: async () => [] },
		{ contextSize }
	);
	const chat = new ChatStore(engine, repo);
	await chat.init();
	return { chat, engine, repo };
}

const file = (reply: string, loop = false) =>
	new File([makeScriptedLlamaGguf({ reply, loop })], `${reply.slice(0, 8).trim() || 'm'}.gguf`);

describe('ChatStore', () => {
	test('send, regenerate, edit, persist, rename, search, delete', async () => {
		const { chat, engine, repo } = await setup();
		expect(await engine.loadFiles([file('Paris is the capital.')])).not.toBeNull();
		await chat.send('What is the capital of France?\nAnswer briefly.');
		expect(chat.messages.map((m) => [m.role, m.content, m.status])).toEqual([
			['user', 'What is the capital of France?\nAnswer briefly.', 'complete'],
			['assistant', 'Paris is the capital.', 'complete']
		]);
		const conversation = chat.active!;
		expect(conversation.title).toBe('What is the capital of France?');
		expect(conversation.model).toMatchObject({ source: 'disk', name: 'Paris is.gguf' });
		expect(chat.usage?.used).toBeGreaterThan(0);
		expect(chat.messages[1]!.tokens).toBeGreaterThan(1);
		expect(engine.lastStats?.decodeTokensPerSecond).toBeGreaterThan(0);
		expect((await repo.listMessages(conversation.id)).map((m) => m.content)).toEqual(
			chat.messages.map((m) => m.content)
		);

		const firstAnswer = chat.messages[1]!.id;
		await chat.regenerate(firstAnswer);
		expect(chat.messages).toHaveLength(2);
		expect(chat.messages[1]!.id).not.toBe(firstAnswer);
		expect(chat.messages[1]!.content).toBe('Paris is the capital.');

		await chat.editAndResend(chat.messages[0]!.id, 'And of Italy?');
		expect(chat.messages.map((m) => m.content)).toEqual(['And of Italy?', 'Paris is the capital.']);
		expect((await repo.listMessages(conversation.id)).map((m) => m.content)).toEqual([
			'And of Italy?',
			'Paris is the capital.'
		]);

		await chat.updateSettings({ systemPrompt: 'Be terse.', sampling: { temperature: 0.1 } });
		expect((await repo.getConversation(conversation.id))?.systemPrompt).toBe('Be terse.');
		expect((await repo.getConversation(conversation.id))?.sampling.temperature).toBe(0.1);

		await chat.rename(conversation.id, 'Capitals');
		expect(chat.conversations.map((c) => c.title)).toEqual(['Capitals']);
		const other = await chat.newConversation();
		await chat.send('Something else');
		await chat.search('italy');
		expect(chat.conversations.map((c) => c.id)).toEqual([conversation.id]);
		await chat.search('');
		expect(chat.conversations).toHaveLength(2);
		await chat.remove(other.id);
		expect(chat.conversations.map((c) => c.id)).toEqual([conversation.id]);
		expect(await repo.listMessages(other.id)).toEqual([]);
		await engine.unload();
	});

	test('stop keeps the partial answer, saved; a reopened conversation marks an interrupted answer stopped', async () => {
		const { chat, engine, repo } = await setup();
		await engine.loadFiles([file('more ', true)]);
		const sending = chat.send('go on');
		// A loaded machine can take seconds to the first token.
		await expect
			.poll(() => chat.messages[1]?.content.length ?? 0, { timeout: 30_000 })
			.toBeGreaterThan(30);
		expect(chat.streaming).toBe(true);
		chat.stop();
		await sending;
		expect(chat.streaming).toBe(false);
		const answer = chat.messages[1]!;
		expect(answer.status).toBe('stopped');
		expect(answer.finish).toBe('stopped');
		expect(answer.content).toMatch(/^more more more/);
		expect((await repo.listMessages(chat.active!.id))[1]).toMatchObject({
			status: 'stopped',
			content: answer.content
		});
		// A record left "streaming" (tab closed mid-answer) opens as stopped, text kept.
		await repo.putMessage({ ...answer, status: 'streaming' });
		const reopened = new ChatStore(engine, repo);
		await reopened.init(chat.active!.id);
		expect(reopened.messages[1]).toMatchObject({
			status: 'stopped',
			finish: 'interrupted',
			content: answer.content
		});
		await engine.unload();
	});

	test('a long history is trimmed to the context window and still answered', async () => {
		const { chat, engine } = await setup(256);
		await engine.loadFiles([file('ok')]);
		for (let i = 0; i < 6; i++) {
			await chat.send(`${i} ${'many words here '.repeat(3)}`);
		}
		expect(chat.messages.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(
			Array(6).fill('ok')
		);
		expect(chat.usage?.dropped).toBeGreaterThan(0);
		expect(chat.usage!.used).toBeLessThanOrEqual(256);
		expect(chat.error).toBeNull();
		// A single message longer than the whole window: a clear error, and the chat goes on.
		await chat.send('far too long '.repeat(60));
		expect(chat.error?.message).toMatch(/does not fit the model's context window/);
		expect(chat.messages.at(-1)).toMatchObject({ role: 'assistant', status: 'error' });
		await chat.send('short');
		expect(chat.messages.at(-1)).toMatchObject({ content: 'ok', status: 'complete' });
		expect(chat.error).toBeNull();
		await engine.unload();
	});

	test('sending without a model explains itself; invalid imports are refused; valid ones land', async () => {
		const { chat } = await setup();
		await chat.send('hello?');
		expect(chat.error?.code).toBe('ENGINE_NOT_LOADED');
		expect(chat.messages.map((m) => m.content)).toEqual(['hello?']);
		let error: unknown;
		try {
			await chat.importJson('{"format":"nope"}');
		} catch (e) {
			error = e;
		}
		expect(AppError.is(error, 'CHAT_IMPORT_INVALID')).toBe(true);
		const exported = chat.exportActive('json')!;
		const imported = await chat.importJson(exported);
		expect(chat.active?.id).toBe(imported.id);
		expect(chat.messages.map((m) => m.content)).toEqual(['hello?']);
		expect(chat.conversations).toHaveLength(2);
		expect(chat.exportActive('md')).toContain('## User\n\nhello?');
	});
});
