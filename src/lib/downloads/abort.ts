import { RetryableError } from './http';

/** Cancellation and waiting for the download engine. */

export function abortError(): DOMException {
	return new DOMException('The download was paused or cancelled.', 'AbortError');
}

const DROP_UNCOMMITTED = 'The download went to the browser from its last committed byte.';

/**
 * Stops a file whose rest the browser now fetches from the last committed byte (a page asked
 * Background Fetch for it as it went away): what arrived after that commit is dropped, not kept.
 */
export function dropUncommittedAbort(): DOMException {
	return new DOMException(DROP_UNCOMMITTED, 'AbortError');
}

export function dropsUncommitted(signal: AbortSignal): boolean {
	return signal.reason instanceof DOMException && signal.reason.message === DROP_UNCOMMITTED;
}

/** Waits `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(abortError());
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError());
		};
		signal.addEventListener('abort', onAbort, { once: true });
	});
}

/** Network failures (a cut connection, DNS, CORS) surface as TypeError from fetch/read. */
export function isRetryable(error: unknown): boolean {
	return error instanceof RetryableError || error instanceof TypeError;
}
