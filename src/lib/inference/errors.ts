import { AppError } from '../errors';

const OOM_PATTERNS = [
	/out of memory/i,
	/\bOOM\b/,
	/cannot allocate/i,
	/failed to allocate/i,
	/array buffer allocation failed/i,
	/memory access out of bounds/i,
	/could not allocate/i,
	/WebAssembly\.Memory/i,
	/bad_alloc/i
];

const GGUF_PATTERNS = [
	/gguf/i,
	/invalid magic/i,
	/failed to load model/i,
	/unable to load model/i,
	/error loading model/i,
	/model (or splits) must be non-empty/i,
	/tensor .* (data|type|shape)/i,
	/unknown (model )?architecture/i,
	/file is too small/i
];

function messageOf(error: unknown): string {
	if (error instanceof Error) return `${error.name}: ${error.message}`;
	return String(error);
}

/**
 * Turns whatever wllama / llama.cpp threw into an AppError with a message a person can act on.
 * `phase` tells a load failure (most likely a bad file) from a generation failure.
 */
export function engineError(error: unknown, phase: 'load' | 'generate'): AppError {
	if (error instanceof AppError) return error;
	const text = messageOf(error);
	if (error instanceof DOMException && error.name === 'AbortError')
		return new AppError('ABORTED', 'Stopped.', { cause: error });
	if (/Invalid typed array length/i.test(text))
		return new AppError(
			'ENGINE_FAILED',
			'The model produced text that is not valid UTF-8, so generation stopped. Try again, or try another model or seed.',
			{ cause: error, details: { reason: 'invalid-utf8' } }
		);
	const overflow =
		/request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/.exec(text);
	if (overflow)
		return new AppError(
			'ENGINE_FAILED',
			`This conversation does not fit the model's context window (${overflow[1]} tokens needed, ${overflow[2]} available). Shorten the message, lower "Max tokens", or start a new chat.`,
			{
				cause: error,
				details: {
					reason: 'context-exceeded',
					requestTokens: Number(overflow[1]),
					contextSize: Number(overflow[2])
				}
			}
		);
	if (OOM_PATTERNS.some((pattern) => pattern.test(text)))
		return new AppError(
			'ENGINE_OOM',
			'The model does not fit in the memory this browser gives the page. Pick a smaller model or quantization, or a smaller context size.',
			{ cause: error }
		);
	if (phase === 'load' && GGUF_PATTERNS.some((pattern) => pattern.test(text)))
		return new AppError(
			'GGUF_INVALID',
			'This file is not a GGUF model llama.cpp can load (it may be damaged, incomplete, or a different format).',
			{ cause: error }
		);
	if (phase === 'load')
		return new AppError('ENGINE_FAILED', `The model could not be loaded: ${shorten(text)}`, {
			cause: error
		});
	return new AppError('ENGINE_FAILED', `Generation failed: ${shorten(text)}`, { cause: error });
}

function shorten(text: string): string {
	const firstLine = text.split('\n')[0] ?? text;
	return firstLine.length > 200 ? `${firstLine.slice(0, 200)}…` : firstLine;
}
