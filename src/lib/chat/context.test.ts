import { describe, expect, test } from 'vitest';
import { TokenBudget, TURN_OVERHEAD_TOKENS, fitToContext, type CountedTurn } from './context';

const turn = (
	role: CountedTurn['role'],
	tokens: number,
	content = `${role}-${tokens}`
): CountedTurn => ({
	role,
	content,
	tokens
});

describe('fitToContext', () => {
	const budget = new TokenBudget();
	test('keeps everything when it fits', () => {
		const turns = [turn('system', 10), turn('user', 10), turn('assistant', 10), turn('user', 10)];
		const fit = fitToContext(turns, 1000, 100, budget);
		expect(fit.turns).toHaveLength(4);
		expect(fit.dropped).toBe(0);
		expect(fit.promptTokens).toBe(4 * (10 + TURN_OVERHEAD_TOKENS));
		expect(fit.replyTokens).toBe(1000 - fit.promptTokens);
	});
	test('drops the oldest turns first, keeps the system prompt, never starts on an assistant turn', () => {
		const turns = [
			turn('system', 10, 'sys'),
			turn('user', 100, 'u1'),
			turn('assistant', 100, 'a1'),
			turn('user', 100, 'u2'),
			turn('assistant', 100, 'a2'),
			turn('user', 20, 'u3')
		];
		// limit 300 - 50 = 250: sys(16) + u3(26) + a2(106) = 148; + u2(106) = 254 > 250
		const fit = fitToContext(turns, 300, 50, budget);
		expect(fit.turns.map((t) => t.content)).toEqual(['sys', 'u3']);
		expect(fit.dropped).toBe(4);
	});
	test('keeps a whole pair when it fits', () => {
		const turns = [
			turn('user', 100, 'u1'),
			turn('assistant', 100, 'a1'),
			turn('user', 20, 'u2'),
			turn('assistant', 20, 'a2'),
			turn('user', 20, 'u3')
		];
		const fit = fitToContext(turns, 200, 50, budget);
		expect(fit.turns.map((t) => t.content)).toEqual(['u2', 'a2', 'u3']);
		expect(fit.dropped).toBe(2);
	});
	test('always keeps the last turn even when it alone is too long', () => {
		const fit = fitToContext([turn('user', 10), turn('user', 5000, 'long')], 512, 128, budget);
		expect(fit.turns.map((t) => t.content)).toEqual(['long']);
		expect(fit.replyTokens).toBe(0);
	});
});

describe('TokenBudget', () => {
	test('estimates with the calibrated ratio and prefers exact counts', () => {
		const budget = new TokenBudget(4);
		expect(budget.estimate('abcdefgh')).toBe(2);
		budget.calibrate(100, 50);
		expect(budget.charsPerToken).toBe(2);
		expect(budget.estimate('abcdefgh')).toBe(4);
		expect(budget.count({ role: 'user', content: 'abcdefgh', tokens: 1 })).toBe(
			1 + TURN_OVERHEAD_TOKENS
		);
		budget.calibrate(0, 10);
		expect(budget.charsPerToken).toBe(2);
	});
});
