/**
 * Parsing and bounds for what clients send: a Pin body and the /pins query.
 * Every rejection is a 400 with a reason the client can show.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import {
	PIN_STATUSES,
	TEXT_MATCHING,
	type Pin,
	type PinQuery,
	type PinStatusValue,
	type TextMatchingStrategy
} from '../../../src/lib/pinning/spec';

export const LIMITS = {
	nameLength: 255,
	origins: 20,
	metaKeys: 1000,
	metaValueLength: 255,
	cidsPerQuery: 10,
	maxLimit: 1000,
	defaultLimit: 10
} as const;

export class BadRequest extends Error {}

function stringMap(value: unknown, what: string): Record<string, string> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new BadRequest(`${what} must be an object of strings`);
	}
	const entries = Object.entries(value);
	if (entries.length > LIMITS.metaKeys) throw new BadRequest(`${what} has too many keys`);
	for (const [k, v] of entries) {
		if (
			typeof v !== 'string' ||
			v.length > LIMITS.metaValueLength ||
			k.length > LIMITS.nameLength
		) {
			throw new BadRequest(
				`${what}.${k} must be a string of at most ${LIMITS.metaValueLength} characters`
			);
		}
	}
	return Object.fromEntries(entries) as Record<string, string>;
}

export function parseCid(value: unknown): CID {
	if (typeof value !== 'string') throw new BadRequest('cid must be a string');
	try {
		return CID.parse(value);
	} catch {
		throw new BadRequest(`not a CID: ${value.slice(0, 100)}`);
	}
}

export function parsePin(body: unknown): Pin {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new BadRequest('the body must be a Pin object');
	}
	const b = body as Record<string, unknown>;
	const pin: Pin = { cid: parseCid(b.cid).toString() };
	if (b.name !== undefined) {
		if (typeof b.name !== 'string' || b.name.length > LIMITS.nameLength) {
			throw new BadRequest(`name must be a string of at most ${LIMITS.nameLength} characters`);
		}
		pin.name = b.name;
	}
	if (b.origins !== undefined) {
		if (!Array.isArray(b.origins) || b.origins.length > LIMITS.origins) {
			throw new BadRequest(`origins must be an array of at most ${LIMITS.origins} multiaddrs`);
		}
		pin.origins = b.origins.map((o) => {
			if (typeof o !== 'string') throw new BadRequest('each origin must be a multiaddr string');
			try {
				return multiaddr(o).toString();
			} catch {
				throw new BadRequest(`not a multiaddr: ${o.slice(0, 200)}`);
			}
		});
	}
	if (b.meta !== undefined) pin.meta = stringMap(b.meta, 'meta');
	return pin;
}

function date(value: string, what: string): Date {
	const d = new Date(value);
	if (Number.isNaN(d.getTime())) throw new BadRequest(`${what} must be an ISO 8601 timestamp`);
	return d;
}

export function parseQuery(params: URLSearchParams): PinQuery {
	const q: PinQuery = {
		match: 'exact',
		status: ['pinned'],
		limit: LIMITS.defaultLimit
	};
	const cid = params.get('cid');
	if (cid !== null) {
		const cids = cid.split(',').filter(Boolean);
		if (cids.length === 0 || cids.length > LIMITS.cidsPerQuery) {
			throw new BadRequest(`cid takes 1 to ${LIMITS.cidsPerQuery} comma-separated CIDs`);
		}
		q.cid = cids.map((c) => parseCid(c).toString());
	}
	const name = params.get('name');
	if (name !== null) q.name = name.slice(0, LIMITS.nameLength);
	const match = params.get('match');
	if (match !== null) {
		if (!(TEXT_MATCHING as readonly string[]).includes(match)) {
			throw new BadRequest(`match must be one of ${TEXT_MATCHING.join(', ')}`);
		}
		q.match = match as TextMatchingStrategy;
	}
	const status = params.get('status');
	if (status !== null) {
		const list = status.split(',').filter(Boolean);
		if (list.length === 0 || list.some((s) => !(PIN_STATUSES as readonly string[]).includes(s))) {
			throw new BadRequest(`status takes a comma-separated list of ${PIN_STATUSES.join(', ')}`);
		}
		q.status = list as PinStatusValue[];
	}
	const before = params.get('before');
	if (before !== null) q.before = date(before, 'before');
	const after = params.get('after');
	if (after !== null) q.after = date(after, 'after');
	const limit = params.get('limit');
	if (limit !== null) {
		const n = Number(limit);
		if (!Number.isInteger(n) || n < 1 || n > LIMITS.maxLimit) {
			throw new BadRequest(`limit must be an integer from 1 to ${LIMITS.maxLimit}`);
		}
		q.limit = n;
	}
	const meta = params.get('meta');
	if (meta !== null) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(meta);
		} catch {
			throw new BadRequest('meta must be a JSON object');
		}
		q.meta = stringMap(parsed, 'meta');
	}
	return q;
}
