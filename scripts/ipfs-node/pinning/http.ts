/**
 * The IPFS Pinning Service API over HTTP: GET/POST /pins, GET/POST/DELETE
 * /pins/{requestid}, a bearer token on every call, CORS for browsers (the
 * token travels in a header, never a cookie). Bodies are capped at 64 KiB.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pinner } from './pinner';
import { queryPins } from './query';
import type { PinRequestStore } from './store';
import type { Failure } from '../../../src/lib/pinning/spec';
import { BadRequest, parsePin, parseQuery } from './validate';

const MAX_BODY = 64 * 1024;

const CORS = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
	'Access-Control-Allow-Headers': 'Authorization, Content-Type',
	'Access-Control-Max-Age': '600'
};

function send(res: ServerResponse, status: number, body?: unknown): void {
	const headers: Record<string, string> = { ...CORS, 'Cache-Control': 'no-store' };
	if (body === undefined) {
		res.writeHead(status, headers).end();
		return;
	}
	headers['Content-Type'] = 'application/json';
	res.writeHead(status, headers).end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, reason: string, details?: string): void {
	const body: Failure = { error: details === undefined ? { reason } : { reason, details } };
	send(res, status, body);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function authorized(req: IncomingMessage, token: string): boolean {
	const header = req.headers.authorization ?? '';
	const m = /^Bearer (.+)$/i.exec(header);
	return m !== null && timingSafeEqual(digest(m[1].trim()), digest(token));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY) throw new BadRequest(`the body is over ${MAX_BODY} bytes`);
		chunks.push(chunk as Buffer);
	}
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw new BadRequest('the body is not JSON');
	}
}

export interface PinningApi {
	url: string;
	close(): Promise<void>;
}

export async function startPinningApi(opts: {
	host: string;
	port: number;
	token: string;
	pinner: Pinner;
	store: PinRequestStore;
}): Promise<PinningApi> {
	const { token, pinner, store } = opts;
	if (token.length < 16) throw new Error('the pinning API token must be at least 16 characters');

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://node');
		const method = req.method ?? 'GET';
		if (method === 'OPTIONS') return send(res, 204);
		const path = url.pathname.replace(/\/+$/, '');
		const m = /^\/pins(?:\/([^/]+))?$/.exec(path);
		if (m === null) return fail(res, 404, 'NOT_FOUND', 'only /pins and /pins/{requestid} exist');
		if (!authorized(req, token)) {
			return fail(res, 401, 'UNAUTHORIZED', 'the access token is missing or wrong');
		}
		const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
		if (id === undefined) {
			if (method === 'GET')
				return send(res, 200, queryPins(pinnerView(), parseQuery(url.searchParams)));
			if (method === 'POST') return send(res, 202, await pinner.add(parsePin(await readJson(req))));
			return fail(res, 405, 'METHOD_NOT_ALLOWED');
		}
		const existing = pinner.get(id);
		if (existing === undefined) return fail(res, 404, 'NOT_FOUND', 'no pin request with this id');
		if (method === 'GET') return send(res, 200, existing);
		if (method === 'DELETE') {
			await pinner.remove(id);
			return send(res, 202);
		}
		if (method === 'POST') {
			const pin = parsePin(await readJson(req));
			const replacement = await pinner.add(pin);
			await pinner.remove(id);
			return send(res, 202, replacement);
		}
		return fail(res, 405, 'METHOD_NOT_ALLOWED');
	}

	function* pinnerView() {
		for (const p of store.all()) yield pinner.get(p.requestid)!;
	}

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((err: unknown) => {
			if (err instanceof BadRequest) fail(res, 400, 'BAD_REQUEST', err.message);
			else fail(res, 500, 'INTERNAL_ERROR', err instanceof Error ? err.message : String(err));
		});
	});
	server.headersTimeout = 10_000;
	server.requestTimeout = 30_000;
	server.maxConnections = 256;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port, opts.host, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
	return {
		url: `http://${host}:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}
