import { RetryableError } from './http';

/** Cancellation and waiting for the download engine. */

export function abortError(): DOMException {
	return new DOMException('The download was paused or cancelled.', 'AbortError');
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
