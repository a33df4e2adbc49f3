import { AppError } from '../errors';
import { parseRetryAfter } from './retry';

/** Reading the Hub's and the CDN's answers to a resolve request. */

export interface ContentRange {
	start: number;
	end: number;
	/** Null when the server wrote `*`. */
	total: number | null;
}

/** `bytes 100-199/1000` → {start: 100, end: 199, total: 1000}. */
export function parseContentRange(value: string | null): ContentRange | null {
	if (!value) return null;
	const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value.trim());
	if (!match) return null;
	const start = Number(match[1]);
	const end = Number(match[2]);
	const total = match[3] === '*' ? null : Number(match[3]);
	if (end < start || (total !== null && end >= total)) return null;
	return { start, end, total };
}

/** A strong validator usable in `If-Range` (weak ones are not allowed there). */
export function strongEtag(value: string | null): string | null {
	if (!value) return null;
	const trimmed = value.trim();
	return trimmed.startsWith('W/') ? null : trimmed;
}

/** Why a download waits before its next try: shown to the user as such. */
export type RetryKind = 'network' | 'busy' | 'server';

/** Retryable failure: the engine waits (`retryAfterMs`, or backoff) and tries again. */
export class RetryableError extends Error {
	override readonly name = 'RetryableError';
	/** A lost connection, a rate limit / overloaded Hub (429, 503), or another server error. */
	readonly kind: RetryKind;
	/** The server's `Retry-After`, when the browser lets us read it. */
	readonly retryAfterMs: number | null;
	/** The least wait before the retry (rate limits: at least a second). */
	readonly minDelayMs: number;
	constructor(
		message: string,
		retryAfterMs: number | null = null,
		options?: { cause?: unknown; minDelayMs?: number; kind?: RetryKind }
	) {
		super(message, options);
		this.retryAfterMs = retryAfterMs;
		this.minDelayMs = options?.minDelayMs ?? 0;
		this.kind = options?.kind ?? 'network';
	}
}

/**
 * First wait after a 429/503 whose `Retry-After` is unreadable (the Hub does not list it in
 * `Access-Control-Expose-Headers`, so cross-origin scripts cannot see it); later ones double.
 */
export const RATE_LIMIT_MIN_DELAY_MS = 1000;

/**
 * The error for a non-2xx answer: 429/5xx are retryable; 401/403/404 are final and carry the
 * Hub's own reason (`X-Error-Message`), which tells a gated repo from a missing file.
 */
export function errorForResponse(response: Response, repoId: string, now = Date.now()): Error {
	const status = response.status;
	const code = response.headers.get('x-error-code');
	const hubMessage = response.headers.get('x-error-message');
	if (status === 429 || status === 503 || status === 502 || status === 504 || status === 500)
		return new RetryableError(
			`The server answered ${status}${hubMessage ? `: ${hubMessage}` : ''}`,
			parseRetryAfter(response.headers.get('retry-after'), now),
			status === 429 || status === 503
				? { minDelayMs: RATE_LIMIT_MIN_DELAY_MS, kind: 'busy' }
				: { kind: 'server' }
		);
	const details = { status, hubCode: code, repoId };
	if (code === 'GatedRepo')
		return new AppError(
			'HUB_GATED',
			hubMessage ??
				`Access to ${repoId} is restricted. Sign in with an account that was granted access.`,
			{ details }
		);
	if (status === 401)
		return new AppError(
			'HUB_FORBIDDEN',
			hubMessage ?? `The Hub refused access to ${repoId}. Sign in and try again.`,
			{ details }
		);
	if (status === 403)
		return new AppError('HUB_FORBIDDEN', hubMessage ?? `You do not have access to ${repoId}.`, {
			details
		});
	if (status === 404 || status === 410)
		return new AppError(
			'HUB_NOT_FOUND',
			hubMessage ?? `The file was not found in ${repoId} at this revision.`,
			{ details }
		);
	if (status >= 500)
		return new RetryableError(`The server answered ${status}`, parseRetryAfter(null), {
			kind: 'server'
		});
	return new AppError('HUB_BAD_RESPONSE', `Unexpected answer from the Hub (${status}).`, {
		details
	});
}

/** `{hub}/{repo}/resolve/{revision}/{path}`, each path segment encoded. */
export function resolveUrl(hubUrl: string, repoId: string, revision: string, path: string): string {
	const encode = (value: string) => value.split('/').map(encodeURIComponent).join('/');
	return `${hubUrl.replace(/\/+$/, '')}/${encode(repoId)}/resolve/${encodeURIComponent(revision)}/${encode(path)}`;
}
