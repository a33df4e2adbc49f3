/** Small HTTP helpers shared by the emulator's hub and CDN origins. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The headers the Hub lets browser scripts read (hub-facts.md). */
export const EXPOSED_HEADERS = [
	'X-Repo-Commit',
	'X-Request-Id',
	'X-Error-Code',
	'X-Error-Message',
	'X-Total-Count',
	'ETag',
	'Link',
	'Accept-Ranges',
	'Content-Range',
	'X-Linked-Size',
	'X-Linked-ETag',
	'X-Xet-Hash'
].join(', ');

export type Headers = Record<string, string | number | string[]>;

export function requestId(): string {
	return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/** The Hub echoes the request's Origin (never `*`) and varies on it. */
export function hubCorsHeaders(req: IncomingMessage): Headers {
	const origin = req.headers.origin;
	if (!origin) return { Vary: 'Origin' };
	return {
		'Access-Control-Allow-Origin': origin,
		'Access-Control-Allow-Credentials': 'true',
		'Access-Control-Expose-Headers': EXPOSED_HEADERS,
		Vary: 'Origin'
	};
}

export function preflight(req: IncomingMessage, res: ServerResponse, allowOrigin: string): void {
	res.writeHead(204, {
		'Access-Control-Allow-Origin': allowOrigin,
		'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
		'Access-Control-Allow-Headers':
			req.headers['access-control-request-headers'] ?? 'authorization, content-type, range',
		'Access-Control-Max-Age': '86400',
		Vary: 'Origin, Access-Control-Request-Headers',
		'Content-Length': '0'
	});
	res.end();
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Headers = {}
) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		...headers,
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text)
	});
	res.end(text);
}

export function sendText(
	res: ServerResponse,
	status: number,
	body: string,
	headers: Headers = {},
	contentType = 'text/plain; charset=utf-8'
) {
	res.writeHead(status, {
		...headers,
		'Content-Type': contentType,
		'Content-Length': Buffer.byteLength(body)
	});
	res.end(body);
}

/** A Hub error: JSON `{ error }` plus `X-Error-Code` / `X-Error-Message`, as the Hub sends them. */
export function sendHubError(
	res: ServerResponse,
	status: number,
	message: string,
	options: { code?: string; headers?: Headers; head?: boolean } = {}
) {
	const headers: Headers = { ...options.headers, 'X-Error-Message': message };
	if (options.code) headers['X-Error-Code'] = options.code;
	if (options.head) {
		res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
		res.end();
		return;
	}
	sendJson(res, status, { error: message }, headers);
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		total += chunk.length;
		if (total > limit) throw new Error('request body too large');
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/** Parses a JSON or `application/x-www-form-urlencoded` body into an object. */
export async function readForm(
	req: IncomingMessage,
	limit?: number
): Promise<Record<string, unknown>> {
	const raw = (await readBody(req, limit)).toString('utf8');
	if (!raw) return {};
	const type = String(req.headers['content-type'] ?? '');
	if (type.includes('application/x-www-form-urlencoded')) {
		const out: Record<string, unknown> = {};
		for (const [key, value] of new URLSearchParams(raw)) {
			const name = key.endsWith('[]') ? key.slice(0, -2) : key;
			const prev = out[name];
			if (prev === undefined) out[name] = key.endsWith('[]') ? [value] : value;
			else out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
		}
		return out;
	}
	const parsed: unknown = JSON.parse(raw);
	return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

export interface ByteRange {
	start: number;
	end: number; // inclusive
}

/**
 * Parses a single `Range: bytes=…` header against a size. Returns `null` when there is no usable
 * range (serve the whole body), or `'unsatisfiable'` for a 416.
 */
export function parseRange(
	header: string | undefined,
	size: number
): ByteRange | null | 'unsatisfiable' {
	if (!header) return null;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match) return null;
	const [, a, b] = match;
	if (a === '' && b === '') return null;
	if (a === '') {
		const suffix = Number(b);
		if (suffix === 0) return 'unsatisfiable';
		return { start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(a);
	const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
	if (start >= size || end < start) return 'unsatisfiable';
	return { start, end };
}

export function httpDate(iso: string): string {
	return new Date(iso).toUTCString();
}
