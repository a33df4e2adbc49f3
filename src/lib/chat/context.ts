import type { ChatTurn } from '../inference/types';

/** Fixed per-turn cost of a chat template (role markers, separators), in tokens. */
export const TURN_OVERHEAD_TOKENS = 6;
/** Characters per token before the model has told us anything (English text, BPE/SPM). */
export const DEFAULT_CHARS_PER_TOKEN = 3.5;

export interface CountedTurn extends ChatTurn {
	/** Tokens counted by the model's tokenizer, when llama.cpp has reported them. */
	tokens?: number;
}

/**
 * Counts tokens for the context window: exact figures llama.cpp reported for earlier turns, and an
 * estimate calibrated on this model's own tokenizer (prompt characters / prompt tokens of the last
 * request) for text it has not seen yet.
 */
export class TokenBudget {
	#charsPerToken: number;

	constructor(charsPerToken = DEFAULT_CHARS_PER_TOKEN) {
		this.#charsPerToken = charsPerToken;
	}

	get charsPerToken(): number {
		return this.#charsPerToken;
	}

	/** Learns from a request whose prompt of `chars` characters the tokenizer made `tokens` of. */
	calibrate(chars: number, tokens: number): void {
		if (chars <= 0 || tokens <= 0) return;
		const observed = chars / tokens;
		if (!Number.isFinite(observed)) return;
		this.#charsPerToken = Math.min(8, Math.max(1, observed));
	}

	estimate(text: string): number {
		return Math.ceil(text.length / this.#charsPerToken);
	}

	count(turn: CountedTurn): number {
		return (turn.tokens ?? this.estimate(turn.content)) + TURN_OVERHEAD_TOKENS;
	}
}

export interface FitResult {
	turns: ChatTurn[];
	/** How many of the oldest turns (system prompt excluded) were left out. */
	dropped: number;
	/** Tokens the kept prompt takes. */
	promptTokens: number;
	/** Room left for the reply. */
	replyTokens: number;
}

/**
 * Keeps the system prompt and the newest turns that fit `contextSize` with `reserve` tokens left
 * for the reply, dropping the oldest turns first (a user turn and its answer go together, so the
 * kept history never starts with an orphan assistant turn). The last turn is always kept; if even
 * that does not fit, the reply room shrinks instead.
 */
export function fitToContext(
	turns: readonly CountedTurn[],
	contextSize: number,
	reserve: number,
	budget: TokenBudget
): FitResult {
	const system = turns[0]?.role === 'system' ? turns[0] : null;
	const rest = system ? turns.slice(1) : [...turns];
	const limit = Math.max(0, contextSize - reserve);
	let used = system ? budget.count(system) : 0;
	let start = rest.length;
	for (let index = rest.length - 1; index >= 0; index--) {
		const cost = budget.count(rest[index]!);
		if (used + cost > limit && index < rest.length - 1) break;
		used += cost;
		start = index;
	}
	// Never begin the kept history with an assistant turn.
	while (start < rest.length - 1 && rest[start]!.role === 'assistant') {
		used -= budget.count(rest[start]!);
		start++;
	}
	const kept = rest.slice(start).map(({ role, content }) => ({ role, content }));
	return {
		turns: system ? [{ role: system.role, content: system.content }, ...kept] : kept,
		dropped: start,
		promptTokens: used,
		replyTokens: Math.max(0, contextSize - used)
	};
}
