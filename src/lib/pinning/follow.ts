import { AppError, toAppError, type SerializedAppError } from '../errors';
import type { PinningClient } from './client';
import type { Pin, PinStatus, PinStatusValue } from './spec';

/**
 * Asking a pinning service to pin, and following the pin until the service says `pinned` or
 * `failed`. A service that is down or slow (`PINNING_UNAVAILABLE`) is retried with exponential
 * backoff, a bounded number of times in a row; every other error ends at once. While the pin is
 * queued or pinning, the service is polled, less often as time goes on.
 */
export interface Backoff {
	initialMs: number;
	maxMs: number;
	factor: number;
}

export function backoffDelay(attempt: number, b: Backoff): number {
	return Math.min(b.maxMs, Math.round(b.initialMs * b.factor ** attempt));
}

export interface FollowProgress {
	requestid?: string;
	status?: PinStatusValue;
	/** Set while waiting to retry after the service was unavailable. */
	retrying?: { attempt: number; inMs: number; error: SerializedAppError };
}

export interface FollowOptions {
	signal?: AbortSignal;
	onProgress?: (p: FollowProgress) => void;
	/** Retries in a row for an unavailable service. Default 6 (about a minute with the default backoff). */
	retries?: number;
	retryBackoff?: Backoff;
	pollBackoff?: Backoff;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_RETRY_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000, factor: 2 };
export const DEFAULT_POLL_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000, factor: 1.5 };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const t = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(t);
			reject(signal!.reason);
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

async function withRetry<T>(
	fn: () => Promise<T>,
	o: FollowOptions,
	progress: Omit<FollowProgress, 'retrying'>
): Promise<T> {
	const retries = o.retries ?? 6;
	const backoff = o.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
	const wait = o.sleep ?? sleep;
	for (let attempt = 0; ; attempt++) {
		try {
			return await fn();
		} catch (err) {
			const error = toAppError(err);
			if (error.code !== 'PINNING_UNAVAILABLE' || attempt >= retries) throw error;
			const inMs = backoffDelay(attempt, backoff);
			o.onProgress?.({
				...progress,
				retrying: { attempt: attempt + 1, inMs, error: error.toJSON() }
			});
			await wait(inMs, o.signal);
		}
	}
}

/** Follows `requestid` until `pinned` (resolves) or `failed` (throws `PINNING_FAILED`). */
export async function followPin(
	client: PinningClient,
	requestid: string,
	o: FollowOptions = {}
): Promise<PinStatus> {
	const poll = o.pollBackoff ?? DEFAULT_POLL_BACKOFF;
	const wait = o.sleep ?? sleep;
	for (let round = 0; ; round++) {
		const status = await withRetry(() => client.get(requestid, o.signal), o, { requestid });
		o.onProgress?.({ requestid, status: status.status });
		if (status.status === 'pinned') return status;
		if (status.status === 'failed') throw pinFailed(status);
		await wait(backoffDelay(round, poll), o.signal);
	}
}

export function pinFailed(status: PinStatus): AppError {
	const why = status.info?.status_details;
	return new AppError(
		'PINNING_FAILED',
		`The pinning service could not pin this model${why ? `: ${why}` : ''}.`,
		{ details: { requestid: status.requestid, info: status.info ?? {} } }
	);
}

/** Asks the service to pin (retrying while it is unavailable) and returns its first answer. */
export async function requestPin(
	client: PinningClient,
	pin: Pin,
	o: FollowOptions = {}
): Promise<PinStatus> {
	const status = await withRetry(() => client.add(pin, o.signal), o, {});
	o.onProgress?.({ requestid: status.requestid, status: status.status });
	return status;
}
