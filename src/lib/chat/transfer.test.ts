import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { DEFAULT_SAMPLING } from '../inference/types';
import { exportFileName, exportJson, exportMarkdown, parseImport } from './transfer';
import type { Conversation, Message } from './types';

const conversation: Conversation = {
	id: 'c1',
	title: 'Rust & <b>lifetimes</b>',
	createdAt: 1000,
	updatedAt: 2000,
	systemPrompt: 'Be brief.',
	model: { source: 'local', id: 'm1', name: 'tiny-llama-Q8_0' },
	sampling: { ...DEFAULT_SAMPLING, temperature: 0.2, seed: 7 }
};
const message = (role: Message['role'], content: string, createdAt: number): Message => ({
	id: `m${createdAt}`,
	conversationId: 'c1',
	role,
	content,
	createdAt,
	updatedAt: createdAt,
	status: 'complete'
});
const messages = [message('user', 'Hi', 1), message('assistant', '```rs\nfn main() {}\n```', 2)];

describe('export', () => {
	test('JSON round-trips through import', () => {
		const imported = parseImport(exportJson(conversation, messages));
		expect(imported.conversation.title).toBe(conversation.title);
		expect(imported.conversation.systemPrompt).toBe('Be brief.');
		expect(imported.conversation.sampling).toEqual(conversation.sampling);
		expect(imported.conversation.model).toEqual(conversation.model);
		expect(imported.messages).toEqual([
			{ role: 'user', content: 'Hi', createdAt: 1 },
			{ role: 'assistant', content: '```rs\nfn main() {}\n```', createdAt: 2 }
		]);
	});
	test('Markdown has headings per turn and the system prompt', () => {
		const md = exportMarkdown(conversation, messages);
		expect(md).toContain('# Rust & <b>lifetimes</b>');
		expect(md).toContain('## System\n\nBe brief.');
		expect(md).toContain('## User\n\nHi');
		expect(md).toContain('## Assistant\n\n```rs\nfn main() {}\n```');
	});
	test('file names are slugs', () => {
		expect(exportFileName(conversation, 'json')).toBe('rust-b-lifetimes-b.json');
		expect(exportFileName({ ...conversation, title: '???' }, 'md')).toBe('chat.md');
	});
});

describe('import validation', () => {
	const valid = JSON.parse(exportJson(conversation, messages)) as Record<string, unknown>;
	const cases: [string, string][] = [
		['not json', '{oops'],
		['array', '[]'],
		['wrong format', JSON.stringify({ ...valid, format: 'other' })],
		['wrong version', JSON.stringify({ ...valid, version: 99 })],
		['no conversation', JSON.stringify({ ...valid, conversation: undefined })],
		['messages not a list', JSON.stringify({ ...valid, messages: {} })],
		['bad role', JSON.stringify({ ...valid, messages: [{ role: 'tool', content: 'x' }] })],
		['content not text', JSON.stringify({ ...valid, messages: [{ role: 'user', content: 1 }] })],
		[
			'bad sampling',
			JSON.stringify({
				...valid,
				conversation: { ...(valid.conversation as object), sampling: { temperature: 'hot' } }
			})
		]
	];
	test.each(cases)('%s → CHAT_IMPORT_INVALID', (_name, text) => {
		let caught: unknown;
		try {
			parseImport(text);
		} catch (error) {
			caught = error;
		}
		expect(AppError.is(caught, 'CHAT_IMPORT_INVALID')).toBe(true);
		expect((caught as AppError).message).toMatch(/not a Citrate conversation/);
	});
	test('fills defaults and orders colliding timestamps', () => {
		const imported = parseImport(
			JSON.stringify({
				format: 'citrate-conversation',
				version: 1,
				conversation: { title: '  ' },
				messages: [
					{ role: 'user', content: 'a', createdAt: 5 },
					{ role: 'assistant', content: 'b', createdAt: 5 }
				]
			})
		);
		expect(imported.conversation.title).toBe('Imported chat');
		expect(imported.conversation.sampling).toEqual(DEFAULT_SAMPLING);
		expect(imported.messages.map((m) => m.createdAt)).toEqual([5, 6]);
	});
});
