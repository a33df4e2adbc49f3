/** Hub HTTP responses and network failures as AppErrors the UI can act on. */
import { AppError } from '../errors';

export const DEFAULT_RETRY_AFTER_SECONDS = 10;

/**
 * Seconds to wait after a 429. `Retry-After` is not in the Hub's CORS expose list, so browsers
 * usually cannot read it: fall back to the `RateLimit` header's `t=`, then to a default.
 */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number {
	const retryAfter = headers.get('retry-after');
	if (retryAfter) {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
		const date = Date.parse(retryAfter);
		if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
	}
	const reset = /(?:^|;)\s*t=(\d+)/.exec(headers.get('ratelimit') ?? '')?.[1];
	if (reset !== undefined) return Number(reset);
	return DEFAULT_RETRY_AFTER_SECONDS;
}

/** The error a non-OK Hub response stands for. `signedIn` tells a 401 gate from a 403 gate. */
export async function errorFromResponse(response: Response, repoId?: string): Promise<AppError> {
	const code = response.headers.get('x-error-code');
	let message = response.headers.get('x-error-message');
	if (!message) {
		try {
			const body = (await response.clone().json()) as { error?: unknown };
			if (typeof body.error === 'string') message = body.error;
		} catch {
			// not JSON
		}
	}
	const details: Record<string, unknown> = { status: response.status };
	if (code) details.hubCode = code;
	if (repoId) details.repoId = repoId;
	const what = repoId ? `“${repoId}”` : 'this model';

	if (
		code === 'GatedRepo' ||
		(response.status === 403 && /gated|restricted/i.test(message ?? ''))
	) {
		const needsSignIn = response.status === 401;
		return new AppError(
			'HUB_GATED',
			needsSignIn
				? `${what} is gated: sign in to download it.`
				: `${what} is gated and your account has not been granted access yet: request access on Hugging Face.`,
			{ details: { ...details, needsSignIn } }
		);
	}
	switch (response.status) {
		case 401:
		case 404:
			return new AppError(
				'HUB_NOT_FOUND',
				code === 'EntryNotFound'
					? `A file of ${what} was not found on the Hub.`
					: code === 'RevisionNotFound'
						? `That revision of ${what} was not found on the Hub.`
						: `${what} was not found on the Hub (or it is private and you have no access).`,
				{ details }
			);
		case 403:
			return new AppError('HUB_FORBIDDEN', `You do not have permission to access ${what}.`, {
				details
			});
		case 429: {
			const retryAfter = retryAfterSeconds(response.headers);
			return new AppError(
				'HUB_RATE_LIMITED',
				`The Hub is rate limiting requests: retrying in ${retryAfter} s.`,
				{
					details: { ...details, retryAfter }
				}
			);
		}
		default:
			if (response.status >= 500)
				return new AppError(
					'HUB_UNAVAILABLE',
					`The Hub is unavailable right now (HTTP ${response.status}).`,
					{
						details
					}
				);
			return new AppError('HUB_BAD_RESPONSE', `The Hub answered HTTP ${response.status}.`, {
				details
			});
	}
}

/** A fetch that threw (no response at all). */
export function networkError(error: unknown, signal?: AbortSignal): AppError {
	if (signal?.aborted || (error instanceof DOMException && error.name === 'AbortError'))
		return new AppError('ABORTED', 'The request was cancelled.', { cause: error });
	if (typeof navigator !== 'undefined' && navigator.onLine === false)
		return new AppError('OFFLINE', 'You are offline.', { cause: error });
	return new AppError('HUB_UNAVAILABLE', 'Could not reach the Hugging Face Hub.', { cause: error });
}
