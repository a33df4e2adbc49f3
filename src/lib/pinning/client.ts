import { AppError } from '../errors';
import {
	PIN_STATUSES,
	type Pin,
	type PinResults,
	type PinStatus,
	type PinStatusValue
} from './spec';

/**
 * A client for the IPFS Pinning Service API (spec v1.0.0). It speaks only the spec, so it works
 * unchanged against this project's node, IPFS Cluster and hosted pinning services. Every call
 * has a time limit; every failure is an AppError the UI can show:
 * - `PINNING_UNAUTHORIZED` (401/403: wrong endpoint or token),
 * - `PINNING_UNAVAILABLE` (network error, time-out, 5xx, 429: worth retrying),
 * - `PINNING_REJECTED` (400, 409 …), `PINNING_NOT_FOUND` (404), `PINNING_BAD_RESPONSE` (not the spec).
 */
export interface PinningClientOptions {
	/** Base URL (see `normalizeEndpoint`). */
	endpoint: string;
	token: string;
	/** Per-request time limit. Default 15 s. */
	timeoutMs?: number;
	fetch?: typeof fetch;
}

export interface ListQuery {
	cid?: string[];
	status?: PinStatusValue[];
	limit?: number;
}

function isPinStatus(v: unknown): v is PinStatus {
	const p = v as PinStatus;
	return (
		typeof p === 'object' &&
		p !== null &&
		typeof p.requestid === 'string' &&
		(PIN_STATUSES as readonly string[]).includes(p.status) &&
		typeof p.pin === 'object' &&
		p.pin !== null &&
		typeof p.pin.cid === 'string' &&
		Array.isArray(p.delegates)
	);
}

async function failureDetails(res: Response): Promise<string | undefined> {
	try {
		const body = (await res.json()) as { error?: { reason?: unknown; details?: unknown } };
		const { reason, details } = body.error ?? {};
		return [reason, details].filter((x) => typeof x === 'string').join(': ') || undefined;
	} catch {
		return undefined;
	}
}

export class PinningClient {
	readonly endpoint: string;
	readonly #token: string;
	readonly #timeoutMs: number;
	readonly #fetch: typeof fetch;

	constructor(options: PinningClientOptions) {
		this.endpoint = options.endpoint;
		this.#token = options.token;
		this.#timeoutMs = options.timeoutMs ?? 15_000;
		this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
	}

	async #call(
		method: 'GET' | 'POST' | 'DELETE',
		path: string,
		body: unknown,
		signal: AbortSignal | undefined
	): Promise<Response> {
		const timeout = AbortSignal.timeout(this.#timeoutMs);
		const url = `${this.endpoint}${path}`;
		let res: Response;
		try {
			res = await this.#fetch(url, {
				method,
				headers: {
					Authorization: `Bearer ${this.#token}`,
					...(body === undefined ? {} : { 'Content-Type': 'application/json' })
				},
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
				credentials: 'omit',
				cache: 'no-store'
			});
		} catch (cause) {
			if (signal?.aborted) throw new AppError('ABORTED', 'The operation was cancelled.', { cause });
			const timedOut = timeout.aborted;
			throw new AppError(
				'PINNING_UNAVAILABLE',
				timedOut
					? `The pinning service did not answer within ${Math.round(this.#timeoutMs / 1000)} s.`
					: 'The pinning service could not be reached. Check its address and that it is running.',
				{ cause, details: { endpoint: this.endpoint, timedOut } }
			);
		}
		if (res.ok) return res;
		const details = {
			status: res.status,
			endpoint: this.endpoint,
			reason: await failureDetails(res)
		};
		if (res.status === 401 || res.status === 403) {
			throw new AppError(
				'PINNING_UNAUTHORIZED',
				'The pinning service refused the access token. Check the token (and that the address is the right service) in Settings.',
				{ details }
			);
		}
		if (res.status === 404) {
			throw new AppError('PINNING_NOT_FOUND', 'The pinning service has no such pin request.', {
				details
			});
		}
		if (res.status === 429 || res.status >= 500) {
			throw new AppError(
				'PINNING_UNAVAILABLE',
				`The pinning service is unavailable right now (HTTP ${res.status}).`,
				{ details }
			);
		}
		throw new AppError(
			'PINNING_REJECTED',
			`The pinning service refused the request${details.reason ? ` (${details.reason})` : ''}.`,
			{ details }
		);
	}

	async #json<T>(res: Response, valid: (v: unknown) => v is T): Promise<T> {
		let value: unknown;
		try {
			value = await res.json();
		} catch (cause) {
			throw this.#badResponse(cause);
		}
		if (!valid(value)) throw this.#badResponse();
		return value;
	}

	#badResponse(cause?: unknown): AppError {
		return new AppError(
			'PINNING_BAD_RESPONSE',
			'That address answered, but not as an IPFS pinning service. Check the address in Settings.',
			{ cause, details: { endpoint: this.endpoint } }
		);
	}

	async add(pin: Pin, signal?: AbortSignal): Promise<PinStatus> {
		return this.#json(await this.#call('POST', '/pins', pin, signal), isPinStatus);
	}

	async get(requestid: string, signal?: AbortSignal): Promise<PinStatus> {
		return this.#json(
			await this.#call('GET', `/pins/${encodeURIComponent(requestid)}`, undefined, signal),
			isPinStatus
		);
	}

	async replace(requestid: string, pin: Pin, signal?: AbortSignal): Promise<PinStatus> {
		return this.#json(
			await this.#call('POST', `/pins/${encodeURIComponent(requestid)}`, pin, signal),
			isPinStatus
		);
	}

	async remove(requestid: string, signal?: AbortSignal): Promise<void> {
		await this.#call('DELETE', `/pins/${encodeURIComponent(requestid)}`, undefined, signal);
	}

	async list(query: ListQuery = {}, signal?: AbortSignal): Promise<PinResults> {
		const params = new URLSearchParams();
		if (query.cid) params.set('cid', query.cid.join(','));
		if (query.status) params.set('status', query.status.join(','));
		if (query.limit !== undefined) params.set('limit', String(query.limit));
		const qs = params.size > 0 ? `?${params}` : '';
		return this.#json(
			await this.#call('GET', `/pins${qs}`, undefined, signal),
			(v): v is PinResults =>
				typeof v === 'object' &&
				v !== null &&
				typeof (v as PinResults).count === 'number' &&
				Array.isArray((v as PinResults).results) &&
				(v as PinResults).results.every(isPinStatus)
		);
	}

	/** Checks the endpoint and the token with one cheap call (`GET /pins?limit=1`). */
	async check(signal?: AbortSignal): Promise<void> {
		await this.list({ limit: 1 }, signal);
	}
}
