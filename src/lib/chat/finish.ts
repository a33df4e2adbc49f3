import type { GenerationStats } from '../inference/types';
import type { ContextUsage, FinishReason, Message } from './types';

/** The finish reason for llama.cpp's own (`stop`: end of text, `length`: the token limit). */
export function finishFromStats(reason: GenerationStats['finishReason']): FinishReason {
	if (reason === 'length') return 'limit';
	if (reason === 'aborted') return 'stopped';
	return 'end';
}

/**
 * Why an answer ended, from what was stored with it; answers stored before the reason was kept
 * fall back to their status and stats. Null while streaming, after an error, and for user messages.
 */
export function finishOf(message: Message): FinishReason | null {
	if (message.role !== 'assistant') return null;
	if (message.status === 'streaming' || message.status === 'error') return null;
	if (message.finish) return message.finish;
	if (message.status === 'stopped') return message.stats ? 'stopped' : 'interrupted';
	return message.stats ? finishFromStats(message.stats.finishReason) : null;
}

/** Whether `message` is an answer that can be continued: the last message, with text, cut short. */
export function canContinue(messages: readonly Message[], message: Message): boolean {
	if (messages.at(-1)?.id !== message.id || message.content.length === 0) return false;
	const finish = finishOf(message);
	return finish === 'limit' || finish === 'stopped' || finish === 'interrupted';
}

/** Stats of an answer that was continued: tokens of both parts, the speed of the newest. */
export function mergeStats(
	previous: GenerationStats | undefined,
	next: GenerationStats
): GenerationStats {
	if (!previous) return next;
	return {
		...next,
		completionTokens: previous.completionTokens + next.completionTokens,
		totalMs: previous.totalMs + next.totalMs
	};
}

/** The newest answer's measured stats (for the speed shown after a reload). */
export function lastStats(messages: readonly Message[]): GenerationStats | null {
	for (let i = messages.length - 1; i >= 0; i--) {
		const stats = messages[i]!.stats;
		if (messages[i]!.role === 'assistant' && stats?.decodeTokensPerSecond) return stats;
	}
	return null;
}

/**
 * The context usage after the newest answer: what was stored with it, or for answers stored before
 * that, its prompt and reply tokens in a window of `contextSize` (when known).
 */
export function storedUsage(
	messages: readonly Message[],
	contextSize: number | null
): ContextUsage | null {
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i]!;
		if (message.role !== 'assistant') continue;
		if (message.usage) return message.usage;
		const stats = message.stats;
		if (stats && stats.promptTokens > 0 && contextSize)
			return {
				used: stats.promptTokens + stats.completionTokens,
				size: contextSize,
				dropped: 0
			};
	}
	return null;
}
