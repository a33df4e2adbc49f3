import { toAppError } from '../errors';
import type {
	ChatTurn,
	GenerateOptions,
	GenerationEvent,
	SamplingSettings
} from '../inference/types';
import { TURN_OVERHEAD_TOKENS, fitToContext, type CountedTurn, type TokenBudget } from './context';
import { finishFromStats, mergeStats } from './finish';
import type { ContextUsage, Message } from './types';

/** What streaming an answer needs from the engine. */
export interface AnswerEngine {
	generate(turns: readonly ChatTurn[], options: GenerateOptions): AsyncIterable<GenerationEvent>;
}

export interface StreamAnswerOptions {
	engine: AnswerEngine;
	budget: TokenBudget;
	/**
	 * The conversation's turns. When `answer` already has text (Continue), its turn is the last one
	 * and the model extends it: llama.cpp treats a final assistant turn as the start of its reply.
	 */
	turns: readonly CountedTurn[];
	sampling: SamplingSettings;
	contextSize: number;
	/** The message the reply goes into: a new empty one, or the answer being continued. */
	answer: Message;
	signal: AbortSignal;
	/** Called with the message after every token and once at the end. */
	onUpdate: (message: Message) => void;
	/** The context window as estimated before the reply and as counted after it. */
	onUsage: (usage: ContextUsage) => void;
}

/**
 * Streams the model's reply into `answer`, fitting the turns into the context window (the oldest
 * go first, at most half the window is kept for the reply), and returns the finished message with
 * why it ended, its stats and the context usage. When llama.cpp counts more prompt tokens than
 * estimated, it learns the count and trims again, once. Errors are thrown as `AppError`; the text
 * streamed so far was already handed to `onUpdate`.
 */
export async function streamAnswer(options: StreamAnswerOptions): Promise<Message> {
	const { engine, budget, turns, sampling, contextSize, signal, onUpdate, onUsage } = options;
	const previous = options.answer;
	let answer = previous;
	const show = (message: Message) => {
		answer = message;
		onUpdate(message);
	};
	for (let attempt = 0; ; attempt++) {
		const reserve = Math.min(sampling.maxTokens, Math.floor(contextSize / 2));
		const fit = fitToContext(turns, contextSize, reserve, budget);
		const maxTokens = Math.max(1, Math.min(sampling.maxTokens, fit.replyTokens));
		const promptChars = fit.turns.reduce((sum, turn) => sum + turn.content.length, 0);
		const textTokens = (promptTokens: number) =>
			Math.max(1, promptTokens - TURN_OVERHEAD_TOKENS * fit.turns.length);
		const estimate: ContextUsage = {
			used: fit.promptTokens,
			size: contextSize,
			dropped: fit.dropped
		};
		onUsage(estimate);
		try {
			for await (const event of engine.generate(fit.turns, {
				sampling: { ...sampling, maxTokens },
				signal
			})) {
				if (event.type === 'token') {
					show({ ...answer, content: answer.content + event.text, updatedAt: Date.now() });
					continue;
				}
				const stats = mergeStats(previous.stats, event.stats);
				const finish = finishFromStats(event.stats.finishReason);
				let usage = estimate;
				if (event.stats.promptTokens > 0) {
					budget.calibrate(promptChars, textTokens(event.stats.promptTokens));
					usage = {
						used: event.stats.promptTokens + event.stats.completionTokens,
						size: contextSize,
						dropped: fit.dropped
					};
					onUsage(usage);
				}
				show({
					...answer,
					status: finish === 'stopped' ? 'stopped' : 'complete',
					finish,
					tokens: stats.completionTokens,
					stats,
					usage,
					updatedAt: Date.now()
				});
			}
			return answer;
		} catch (error) {
			const details = toAppError(error).details;
			if (
				attempt === 0 &&
				answer.content === previous.content &&
				details?.reason === 'context-exceeded' &&
				typeof details.requestTokens === 'number' &&
				details.requestTokens > maxTokens
			) {
				budget.calibrate(promptChars, textTokens(details.requestTokens - maxTokens));
				continue;
			}
			throw error;
		}
	}
}
