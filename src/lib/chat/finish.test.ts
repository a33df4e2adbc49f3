import { describe, expect, test } from 'vitest';
import { DEFAULT_SAMPLING, type GenerationEvent, type GenerationStats } from '../inference/types';
import { streamAnswer } from './answer';
import { TokenBudget } from './context';
import { canContinue, finishOf, lastStats, mergeStats, storedUsage } from './finish';
import type { Message } from './types';

const stats = (extra: Partial<GenerationStats> = {}): GenerationStats => ({
	promptTokens: 20,
	completionTokens: 5,
	cachedTokens: 0,
	prefillTokensPerSecond: null,
	decodeTokensPerSecond: 50,
	timeToFirstTokenMs: 10,
	totalMs: 100,
	finishReason: 'stop',
	...extra
});
const m = (id: string, role: Message['role'], extra: Partial<Message> = {}): Message => ({
	id,
	conversationId: 'c',
	role,
	content: 'text',
	createdAt: 0,
	updatedAt: 0,
	status: 'complete',
	...extra
});

describe('finishOf', () => {
	test('reads the stored reason, else falls back on status and stats', () => {
		expect(finishOf(m('a', 'assistant', { finish: 'limit' }))).toBe('limit');
		expect(finishOf(m('a', 'assistant', { stats: stats({ finishReason: 'length' }) }))).toBe(
			'limit'
		);
		expect(finishOf(m('a', 'assistant', { stats: stats() }))).toBe('end');
		expect(finishOf(m('a', 'assistant', { status: 'stopped', stats: stats() }))).toBe('stopped');
		expect(finishOf(m('a', 'assistant', { status: 'stopped' }))).toBe('interrupted');
		expect(finishOf(m('a', 'assistant', { status: 'streaming', finish: 'end' }))).toBeNull();
		expect(finishOf(m('a', 'assistant', { status: 'error' }))).toBeNull();
		expect(finishOf(m('u', 'user'))).toBeNull();
	});
});

describe('canContinue', () => {
	test('only the last answer with text that was cut short', () => {
		const cut = m('a', 'assistant', { finish: 'limit' });
		expect(canContinue([m('u', 'user'), cut], cut)).toBe(true);
		expect(canContinue([cut, m('u', 'user')], cut)).toBe(false);
		const done = m('b', 'assistant', { finish: 'end' });
		expect(canContinue([done], done)).toBe(false);
		const empty = m('c', 'assistant', { finish: 'stopped', content: '' });
		expect(canContinue([empty], empty)).toBe(false);
	});
});

describe('stored stats and usage', () => {
	test('mergeStats adds the tokens and keeps the newest speed and reason', () => {
		const merged = mergeStats(
			stats({ completionTokens: 10, finishReason: 'length' }),
			stats({ completionTokens: 4, decodeTokensPerSecond: 80 })
		);
		expect(merged).toMatchObject({
			completionTokens: 14,
			decodeTokensPerSecond: 80,
			finishReason: 'stop',
			totalMs: 200
		});
	});

	test('the newest answer gives the speed and the usage', () => {
		const messages = [
			m('a', 'assistant', { stats: stats({ decodeTokensPerSecond: 10 }) }),
			m('u', 'user'),
			m('b', 'assistant', {
				stats: stats({ decodeTokensPerSecond: 30 }),
				usage: { used: 90, size: 512, dropped: 1 }
			})
		];
		expect(lastStats(messages)?.decodeTokensPerSecond).toBe(30);
		expect(storedUsage(messages, 4096)).toEqual({ used: 90, size: 512, dropped: 1 });
		// Answers stored before usage was kept: from their stats, in the loaded window.
		expect(storedUsage(messages.slice(0, 1), 4096)).toEqual({ used: 25, size: 4096, dropped: 0 });
		expect(storedUsage(messages.slice(0, 1), null)).toBeNull();
		expect(storedUsage([m('u', 'user')], 4096)).toBeNull();
	});
});

describe('streamAnswer', () => {
	function engine(events: GenerationEvent[], seen: unknown[][] = []) {
		return {
			async *generate(turns: readonly unknown[]) {
				seen.push([...turns]);
				for (const event of events) yield event;
			}
		};
	}

	test('streams into a new answer and stores why it ended, its stats and the usage', async () => {
		const updates: string[] = [];
		const result = await streamAnswer({
			engine: engine([
				{ type: 'token', text: 'Hel' },
				{ type: 'token', text: 'lo' },
				{ type: 'done', stats: stats({ completionTokens: 2, finishReason: 'length' }) }
			]),
			budget: new TokenBudget(),
			turns: [{ role: 'user', content: 'Hi' }],
			sampling: DEFAULT_SAMPLING,
			contextSize: 1024,
			answer: m('a', 'assistant', { content: '', status: 'streaming' }),
			signal: new AbortController().signal,
			onUpdate: (message) => updates.push(message.content),
			onUsage: () => {}
		});
		expect(updates).toEqual(['Hel', 'Hello', 'Hello']);
		expect(result).toMatchObject({
			content: 'Hello',
			status: 'complete',
			finish: 'limit',
			tokens: 2,
			usage: { used: 22, size: 1024, dropped: 0 }
		});
	});

	test('Continue extends the same message: its text is the last turn, tokens add up', async () => {
		const seen: unknown[][] = [];
		const cut = m('a', 'assistant', {
			content: 'ABC',
			finish: 'limit',
			tokens: 3,
			stats: stats({ completionTokens: 3, finishReason: 'length' })
		});
		const result = await streamAnswer({
			engine: engine(
				[
					{ type: 'token', text: 'DEF' },
					{ type: 'done', stats: stats({ completionTokens: 3, finishReason: 'aborted' }) }
				],
				seen
			),
			budget: new TokenBudget(),
			turns: [
				{ role: 'user', content: 'Spell' },
				{ role: 'assistant', content: 'ABC', tokens: 3 }
			],
			sampling: DEFAULT_SAMPLING,
			contextSize: 1024,
			answer: { ...cut, status: 'streaming' },
			signal: new AbortController().signal,
			onUpdate: () => {},
			onUsage: () => {}
		});
		expect(seen[0]?.at(-1)).toEqual({ role: 'assistant', content: 'ABC' });
		expect(result).toMatchObject({
			id: 'a',
			content: 'ABCDEF',
			status: 'stopped',
			finish: 'stopped',
			tokens: 6
		});
	});
});
