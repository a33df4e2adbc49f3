import { describe, expect, test, vi } from 'vitest';
import { DEFAULT_SAMPLING } from '../inference/types';
import {
	afterMessage,
	appendText,
	beforeMessage,
	matchesQuery,
	promptOf,
	throttledSaver,
	titleFrom,
	toTurns
} from './messages';
import type { Conversation, Message } from './types';

const conv: Conversation = {
	id: 'c',
	title: 'Greetings',
	createdAt: 0,
	updatedAt: 0,
	systemPrompt: ' Be kind. ',
	model: null,
	sampling: DEFAULT_SAMPLING
};
const m = (
	id: string,
	role: Message['role'],
	content: string,
	extra: Partial<Message> = {}
): Message => ({
	id,
	conversationId: 'c',
	role,
	content,
	createdAt: 0,
	updatedAt: 0,
	status: 'complete',
	...extra
});
const list = [
	m('1', 'user', 'hello'),
	m('2', 'assistant', 'hi there', { tokens: 3 }),
	m('3', 'user', 'more'),
	m('4', 'assistant', '')
];

describe('message reducers', () => {
	test('appendText grows content and bumps updatedAt', () => {
		expect(appendText(list[1]!, '!', 9)).toMatchObject({ content: 'hi there!', updatedAt: 9 });
	});
	test('before/after/prompt', () => {
		expect(beforeMessage(list, '3').map((x) => x.id)).toEqual(['1', '2']);
		expect(afterMessage(list, '2').map((x) => x.id)).toEqual(['3', '4']);
		expect(afterMessage(list, 'nope')).toEqual([]);
		expect(promptOf(list, '4')?.id).toBe('3');
		expect(promptOf(list, '1')).toBeNull();
	});
	test('toTurns adds the system prompt, skips empty answers, keeps token counts', () => {
		expect(toTurns(conv, list)).toEqual([
			{ role: 'system', content: 'Be kind.' },
			{ role: 'user', content: 'hello' },
			{ role: 'assistant', content: 'hi there', tokens: 3 },
			{ role: 'user', content: 'more' }
		]);
	});
	test('titles and search', () => {
		expect(titleFrom('  What is\n a GGUF? ')).toBe('What is');
		expect(titleFrom('x'.repeat(80))).toHaveLength(58);
		expect(titleFrom('   ')).toBe('New chat');
		expect(matchesQuery(conv, list, 'GREET')).toBe(true);
		expect(matchesQuery(conv, list, 'there')).toBe(true);
		expect(matchesQuery(conv, list, 'absent')).toBe(false);
	});
});

describe('throttledSaver', () => {
	test('saves at most once per interval with the newest value, and flushes the last', async () => {
		vi.useFakeTimers();
		const saved: number[] = [];
		const saver = throttledSaver(async (value: number) => void saved.push(value), 100);
		saver.push(1);
		saver.push(2);
		expect(saved).toEqual([]);
		await vi.advanceTimersByTimeAsync(100);
		expect(saved).toEqual([2]);
		saver.push(3);
		saver.push(4);
		await saver.flush();
		expect(saved).toEqual([2, 4]);
		await vi.advanceTimersByTimeAsync(500);
		expect(saved).toEqual([2, 4]);
		vi.useRealTimers();
	});
});
