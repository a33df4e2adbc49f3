import type { Wllama } from '@wllama/wllama';
import { engineError } from './errors';
import { formatFallbackPrompt } from './prompt';
import type {
	ChatTurn,
	GenerateOptions,
	GenerationEvent,
	GenerationStats,
	LoadedModel
} from './types';

/** The chunk fields we read from wllama's streamed chat and raw completions. */
interface StreamChunk {
	choices?: { delta?: { content?: string | null }; text?: string; finish_reason?: string | null }[];
	usage?: {
		prompt_tokens?: number;
		completion_tokens?: number;
		prompt_tokens_details?: { cached_tokens?: number };
	} | null;
	timings?: {
		cache_n?: number;
		prompt_n?: number;
		prompt_per_second?: number;
		predicted_n?: number;
		predicted_per_second?: number;
	};
}

/**
 * Streams the assistant's reply to `turns` from a loaded wllama: with the model's own chat template
 * when its GGUF has one, else as a plain-text continuation; tokens as they come and one `done` event
 * with the stats (also after an abort: the stream ends at once and llama.cpp is told to cancel in
 * the background). `onFatal` runs when the wasm died (before the error is thrown).
 */
export async function* streamReply(
	wllama: Wllama,
	model: LoadedModel,
	turns: readonly ChatTurn[],
	options: GenerateOptions,
	onFatal: () => void
): AsyncGenerator<GenerationEvent, void, undefined> {
	const { sampling, signal } = options;
	const started = performance.now();
	const stats: GenerationStats = {
		promptTokens: 0,
		completionTokens: 0,
		cachedTokens: 0,
		prefillTokensPerSecond: null,
		decodeTokensPerSecond: null,
		timeToFirstTokenMs: null,
		totalMs: 0,
		finishReason: 'stop'
	};
	if (signal?.aborted) {
		stats.finishReason = 'aborted';
		yield { type: 'done', stats };
		return;
	}
	const controller = new AbortController();
	let abortedResolve!: () => void;
	const aborted = new Promise<'aborted'>((resolve) => {
		abortedResolve = () => resolve('aborted');
	});
	const onAbort = () => {
		controller.abort();
		abortedResolve();
	};
	signal?.addEventListener('abort', onAbort, { once: true });
	const common = {
		stream: true as const,
		abortSignal: controller.signal,
		temperature: sampling.temperature,
		top_p: sampling.topP,
		top_k: sampling.topK,
		min_p: sampling.minP,
		penalty_repeat: sampling.repeatPenalty,
		max_tokens: sampling.maxTokens,
		cache_prompt: true,
		...(sampling.seed === null ? {} : { seed: sampling.seed })
	};
	let iterator: AsyncIterator<StreamChunk> | undefined;
	try {
		const request: Promise<AsyncIterable<StreamChunk>> = model.chatTemplate
			? wllama.createChatCompletion({ ...common, messages: turns.map((t) => ({ ...t })) })
			: wllama.createCompletion({ ...common, prompt: formatFallbackPrompt(turns) });
		const first = await Promise.race([request, aborted]);
		if (first === 'aborted') {
			request.catch(() => {});
			stats.finishReason = 'aborted';
		} else {
			iterator = first[Symbol.asyncIterator]();
			let decodeStart = 0;
			for (;;) {
				const next = iterator.next();
				const result = await Promise.race([next, aborted]);
				if (result === 'aborted') {
					// wllama cancels on its side; drain what it still delivers so nothing rejects unseen.
					drain(iterator, next);
					stats.finishReason = 'aborted';
					break;
				}
				if (result.done) break;
				const chunk = result.value;
				const choice = chunk.choices?.[0];
				const text = choice?.delta?.content ?? choice?.text ?? '';
				if (text) {
					if (stats.timeToFirstTokenMs === null) {
						stats.timeToFirstTokenMs = performance.now() - started;
						decodeStart = performance.now();
					}
					stats.completionTokens++;
					yield { type: 'token', text };
				}
				if (choice?.finish_reason === 'length') stats.finishReason = 'length';
				readUsage(chunk, stats);
			}
			if (stats.decodeTokensPerSecond === null && stats.completionTokens > 1) {
				const seconds = (performance.now() - decodeStart) / 1000;
				stats.decodeTokensPerSecond = (stats.completionTokens - 1) / seconds;
			}
		}
	} catch (error) {
		if (controller.signal.aborted) {
			stats.finishReason = 'aborted';
		} else {
			const appError = engineError(error, 'generate');
			// The wasm is dead: the engine drops it; the next request reloads the same files.
			if (isFatal(error)) onFatal();
			throw appError;
		}
	} finally {
		signal?.removeEventListener('abort', onAbort);
	}
	stats.totalMs = performance.now() - started;
	yield { type: 'done', stats };
}

function drain(iterator: AsyncIterator<unknown>, pending: Promise<IteratorResult<unknown>>): void {
	void (async () => {
		try {
			let result = await pending;
			while (!result.done) result = await iterator.next();
		} catch {
			// The cancellation itself: expected.
		}
	})();
}

function readUsage(chunk: StreamChunk, stats: GenerationStats): void {
	if (chunk.usage) {
		stats.promptTokens = chunk.usage.prompt_tokens ?? stats.promptTokens;
		if (chunk.usage.completion_tokens) stats.completionTokens = chunk.usage.completion_tokens;
		stats.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? stats.cachedTokens;
	}
	const timings = chunk.timings;
	if (timings) {
		if (timings.prompt_n !== undefined && timings.cache_n !== undefined)
			stats.promptTokens = timings.prompt_n + timings.cache_n;
		if (timings.cache_n !== undefined) stats.cachedTokens = timings.cache_n;
		if (timings.prompt_per_second && Number.isFinite(timings.prompt_per_second))
			stats.prefillTokensPerSecond = timings.prompt_per_second;
		if (timings.predicted_per_second && Number.isFinite(timings.predicted_per_second))
			stats.decodeTokensPerSecond = timings.predicted_per_second;
		if (timings.predicted_n) stats.completionTokens = timings.predicted_n;
	}
}

/** Errors after which wllama's worker cannot be used again. */
function isFatal(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	return (
		error.name === 'WllamaRuntimeError' ||
		error instanceof RangeError ||
		/crashed|abort\(|unreachable|RuntimeError/i.test(error.message)
	);
}
