/** Mutable emulator state that tests steer through the control API: faults, grants, config, log. */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { DEFAULT_GRANTS } from './users';

export type Origin = 'hub' | 'cdn';

export interface FaultSpec {
	/** Substring of the request path (query included). */
	path?: string;
	origin?: Origin;
	cutAfterBytes?: number;
	flipByteAt?: number;
	throttleBytesPerSec?: number;
	/** After this many body bytes, send nothing more and keep the connection open (a silent network). */
	stallAfterBytes?: number;
	status?: 429 | 503;
	retryAfterSeconds?: number;
	ignoreRange?: boolean;
	/**
	 * Signed CDN URLs expire this many ms after the Hub issued them: the CDN answers 403
	 * `AccessDenied` "Request has expired", as CloudFront does past `Expires` (CDN origin only).
	 */
	expireAfterMs?: number;
	/** How many responses it applies to (default: unlimited). */
	times?: number;
}

export interface Fault extends FaultSpec {
	id: number;
}

export interface LoggedRequest {
	time: string;
	origin: Origin;
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	/** The answer's status, once it ended. */
	status?: number;
}

export interface EmulatorConfig {
	refreshTokens: boolean;
	accessTokenTtlSeconds: number;
	/** RFC 7009 token revocation at `/oauth/revoke`, advertised in the discovery document. */
	revocation: boolean;
}

export const DEFAULT_CONFIG: EmulatorConfig = {
	refreshTokens: true,
	accessTokenTtlSeconds: 28800,
	revocation: true
};

const BODY_KEYS = [
	'cutAfterBytes',
	'flipByteAt',
	'throttleBytesPerSec',
	'stallAfterBytes',
	'ignoreRange'
] as const;

export function isBodyFault(f: FaultSpec): boolean {
	return BODY_KEYS.some((k) => f[k] !== undefined && f[k] !== false);
}

export function validateFault(input: unknown): FaultSpec {
	if (!input || typeof input !== 'object') throw new Error('fault must be an object');
	const f = input as Record<string, unknown>;
	const out: FaultSpec = {};
	const num = (k: keyof FaultSpec) => {
		if (f[k] === undefined) return;
		if (typeof f[k] !== 'number' || !Number.isFinite(f[k]) || (f[k] as number) < 0)
			throw new Error(`${k} must be a non-negative number`);
		(out as Record<string, unknown>)[k] = f[k];
	};
	if (f.path !== undefined) {
		if (typeof f.path !== 'string') throw new Error('path must be a string');
		out.path = f.path;
	}
	if (f.origin !== undefined) {
		if (f.origin !== 'hub' && f.origin !== 'cdn') throw new Error('origin must be hub or cdn');
		out.origin = f.origin;
	}
	num('cutAfterBytes');
	num('flipByteAt');
	num('throttleBytesPerSec');
	num('stallAfterBytes');
	num('retryAfterSeconds');
	num('times');
	num('expireAfterMs');
	if (f.status !== undefined) {
		if (f.status !== 429 && f.status !== 503) throw new Error('status must be 429 or 503');
		out.status = f.status;
	}
	if (f.ignoreRange !== undefined) out.ignoreRange = Boolean(f.ignoreRange);
	if (out.expireAfterMs !== undefined) {
		if (out.origin === 'hub') throw new Error('expireAfterMs applies to the cdn origin');
		if (out.status !== undefined || isBodyFault(out))
			throw new Error('expireAfterMs does not combine with other knobs');
		out.origin = 'cdn';
	}
	if (out.status === undefined && out.expireAfterMs === undefined && !isBodyFault(out))
		throw new Error('fault does nothing');
	return out;
}

export class EmulatorState {
	faults: Fault[] = [];
	requests: LoggedRequest[] = [];
	grants = new Map<string, Set<string>>();
	config: EmulatorConfig = { ...DEFAULT_CONFIG };
	/** When the Hub last issued each signed CDN URL (by signature), for `expireAfterMs` faults. */
	readonly signedAt = new Map<string, number>();
	#nextFaultId = 1;

	constructor() {
		this.reset();
	}

	reset(): void {
		this.faults = [];
		this.requests = [];
		this.config = { ...DEFAULT_CONFIG };
		this.grants = new Map();
		for (const g of DEFAULT_GRANTS) this.grant(g.repo, g.user);
	}

	grant(repo: string, user: string): void {
		const set = this.grants.get(repo) ?? new Set<string>();
		set.add(user);
		this.grants.set(repo, set);
	}

	revoke(repo: string, user: string): void {
		this.grants.get(repo)?.delete(user);
	}

	isGranted(repo: string, user: string): boolean {
		return this.grants.get(repo)?.has(user) ?? false;
	}

	addFault(spec: FaultSpec): Fault {
		const fault = { ...spec, id: this.#nextFaultId++ };
		this.faults.push(fault);
		return fault;
	}

	#matches(f: Fault, origin: Origin, path: string): boolean {
		return (!f.origin || f.origin === origin) && (!f.path || path.includes(f.path));
	}

	#use(f: Fault): void {
		if (f.times === undefined) return;
		f.times -= 1;
		if (f.times <= 0) this.faults = this.faults.filter((x) => x !== f);
	}

	/** An expiry fault under which a signed URL `ageMs` old has expired, consumed. */
	takeExpiryFault(path: string, ageMs: number): Fault | undefined {
		const f = this.faults.find(
			(x) =>
				x.expireAfterMs !== undefined && ageMs > x.expireAfterMs && this.#matches(x, 'cdn', path)
		);
		if (f) this.#use(f);
		return f;
	}

	/** A status fault (429/503) for this request, consumed. */
	takeStatusFault(origin: Origin, path: string): Fault | undefined {
		const f = this.faults.find((x) => x.status !== undefined && this.#matches(x, origin, path));
		if (f) this.#use(f);
		return f;
	}

	/**
	 * The body fault for a response that streams file bytes, consumed: the first matching one, if it
	 * would change this response (one per response, in the order added, so separate faults for the
	 * same file play one after the other — put knobs in one fault to combine them).
	 */
	takeBodyFault(
		origin: Origin,
		path: string,
		wouldApply: (f: FaultSpec) => boolean
	): Fault | undefined {
		for (const f of this.faults) {
			if (f.status !== undefined || !isBodyFault(f) || !this.#matches(f, origin, path)) continue;
			// Strict order: the next fault waits for a response it changes, later ones wait behind it.
			if (!wouldApply(f)) return undefined;
			const taken = { ...f };
			this.#use(f);
			return taken;
		}
		return undefined;
	}

	/** Records that the Hub issued a signed URL now. */
	signed(signature: string, now = Date.now()): void {
		this.signedAt.delete(signature);
		this.signedAt.set(signature, now);
		if (this.signedAt.size > 5000) this.signedAt.delete(this.signedAt.keys().next().value!);
	}

	log(entry: LoggedRequest, res?: ServerResponse): void {
		this.requests.push(entry);
		// The status once the answer ended (or the connection closed).
		res?.once('close', () => (entry.status = res.statusCode));
		if (this.requests.length > 5000) this.requests.splice(0, this.requests.length - 5000);
	}
}
