/**
 * File downloads: the Hub's `/{id}/resolve/{rev}/{path}` (302 to the CDN origin for LFS files, 307
 * to `/api/resolve-cache/…` for small ones), the resolve cache, and the CDN origin itself, with
 * Range support and the test fault knobs (cut, flip, throttle, ignore Range).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileAccess, type Identity } from './access';
import { findRepo, resolveRevision, type Ctx } from './context';
import { EXPOSED_HEADERS, parseRange, sendHubError, sendText, type Headers } from './http';
import type { Repo, RepoFile } from './repo-store';
import type { Fault, FaultSpec, Origin } from './state';

/** Largest chunk of a throttled body (small, so the rate is smooth). */
const THROTTLED_CHUNK = 64 * 1024;
/** Chunk of a full-speed body: large, so serving costs the machine's two cores little. */
const CHUNK = 1024 * 1024;
const URL_LIFETIME_SECONDS = 3600;

function sign(ctx: Ctx, payload: string): string {
	return createHmac('sha256', ctx.secret).update(payload).digest('base64url');
}

function contentDisposition(path: string): string {
	const name = path.split('/').pop() ?? path;
	return `attachment; filename*=UTF-8''${encodeURIComponent(name)}; filename="${name}";`;
}

/** A CloudFront-style signed URL on the CDN origin; it never carries the caller's token. */
export function cdnUrlFor(ctx: Ctx, repo: Repo, file: RepoFile): string {
	const expires = Math.floor(Date.now() / 1000) + URL_LIFETIME_SECONDS;
	const id = repo.objectId;
	const path = `/repos/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}/${file.sha256}`;
	const disposition = contentDisposition(file.path);
	const signature = sign(ctx, `${path}\n${disposition}\n${expires}`);
	ctx.state.signed(signature);
	const q = new URLSearchParams({
		'response-content-disposition': disposition,
		'response-content-type': 'application/octet-stream',
		Expires: String(expires),
		Signature: signature,
		'Key-Pair-Id': 'K3RPWS32NSSJCE'
	});
	return `${ctx.cdnUrl}${path}?${q}`;
}

function drainOrClose(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

interface StreamOptions {
	origin: Origin;
	/** What fault `path` substrings are matched against. */
	matchPath: string;
	headers: Headers;
}

/** Sends a file's bytes (whole or one range), applying any matching body faults. */
export async function streamFile(
	ctx: Ctx,
	req: IncomingMessage,
	res: ServerResponse,
	file: RepoFile,
	opts: StreamOptions
): Promise<void> {
	const etag = typeof opts.headers.ETag === 'string' ? opts.headers.ETag : undefined;
	if (etag && req.headers['if-none-match'] === etag) {
		res.writeHead(304, { ...opts.headers });
		res.end();
		return;
	}
	// If-Range with a stale validator means "send the whole new file".
	const ifRange = req.headers['if-range'];
	let range = ifRange && ifRange !== etag ? null : parseRange(req.headers.range, file.size);
	if (range === 'unsatisfiable') {
		res.writeHead(416, { ...opts.headers, 'Content-Range': `bytes */${file.size}` });
		res.end();
		return;
	}
	const isHead = req.method === 'HEAD';
	const requested = range;
	// A fault is only used up by a response it changes: a cut needs a longer body, a flip its
	// byte, ignoreRange a Range request.
	const wouldApply = (f: FaultSpec): boolean => {
		const r = f.ignoreRange || !requested ? { start: 0, end: file.size - 1 } : requested;
		return (
			f.throttleBytesPerSec !== undefined ||
			(!!f.ignoreRange && !!requested) ||
			(f.cutAfterBytes !== undefined && r.end - r.start + 1 > f.cutAfterBytes) ||
			(f.stallAfterBytes !== undefined && r.end - r.start + 1 > f.stallAfterBytes) ||
			(f.flipByteAt !== undefined && f.flipByteAt >= r.start && f.flipByteAt <= r.end)
		);
	};
	const fault = isHead
		? undefined
		: ctx.state.takeBodyFault(opts.origin, opts.matchPath, wouldApply);
	const faults: Fault[] = fault ? [fault] : [];
	if (faults.some((f) => f.ignoreRange)) range = null;
	const start = range ? range.start : 0;
	const end = range ? range.end : file.size - 1;
	const length = Math.max(0, end - start + 1);
	const headers: Headers = {
		...opts.headers,
		'Accept-Ranges': 'bytes',
		'Content-Length': String(length)
	};
	if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
	res.writeHead(range ? 206 : 200, headers);
	if (isHead || length === 0) {
		res.end();
		return;
	}

	const cut = Math.min(...faults.map((f) => f.cutAfterBytes ?? Infinity));
	const rate = Math.min(...faults.map((f) => f.throttleBytesPerSec ?? Infinity));
	const stall = Math.min(...faults.map((f) => f.stallAfterBytes ?? Infinity));
	const flips = faults.flatMap((f) => (f.flipByteAt === undefined ? [] : [f.flipByteAt]));
	const chunkSize = Number.isFinite(rate)
		? Math.max(1, Math.min(THROTTLED_CHUNK, Math.floor(rate / 20)))
		: CHUNK;
	let closed = false;
	res.on('close', () => (closed = true));
	const began = Date.now();
	let sent = 0;
	const reader = (await file.openReader?.()) ?? { read: file.read, close: async () => {} };
	try {
		await sendBytes();
	} finally {
		await reader.close();
	}
	if (!closed) res.end();

	async function sendBytes(): Promise<void> {
		for (let pos = start; pos <= end && !closed;) {
			const n = Math.min(chunkSize, end - pos + 1);
			let chunk = await reader.read(pos, n);
			const hits = flips.filter((at) => at >= pos && at < pos + chunk.length);
			if (hits.length) {
				chunk = Buffer.from(chunk); // readers may hand out views of shared memory
				for (const at of hits) chunk[at - pos] ^= 0xff;
			}
			if (sent + chunk.length > stall) {
				chunk = chunk.subarray(0, stall - sent);
				if (chunk.length) await new Promise<void>((r) => res.write(chunk, () => r()));
				// Silence: nothing more is sent until the client gives up.
				if (!closed) await new Promise<void>((r) => res.once('close', () => r()));
				closed = true;
				return;
			}
			if (sent + chunk.length > cut) {
				chunk = chunk.subarray(0, cut - sent);
				if (chunk.length) await new Promise<void>((r) => res.write(chunk, () => r()));
				res.socket?.destroy();
				closed = true;
				return;
			}
			if (!res.write(chunk)) await drainOrClose(res);
			sent += chunk.length;
			pos += chunk.length;
			if (Number.isFinite(rate)) {
				const due = began + (sent / rate) * 1000;
				const wait = due - Date.now();
				if (wait > 0) await new Promise((r) => setTimeout(r, wait));
			}
		}
	}
}

interface ResolveTarget {
	repo: Repo;
	commit: string;
	file: RepoFile;
}

/** Finds repo, revision and file, or answers the Hub's error. */
function locate(
	ctx: Ctx,
	res: ServerResponse,
	identity: Identity | null,
	repoId: string,
	rev: string,
	path: string,
	base: Headers,
	head: boolean
): ResolveTarget | null {
	const repo = findRepo(ctx, repoId);
	const denial = repo
		? fileAccess(repo, identity, ctx.state, path)
		: identity
			? { status: 404, message: 'Repository not found', code: 'RepoNotFound' }
			: { status: 401, message: 'Invalid username or password.', code: 'RepoNotFound' };
	if (denial || !repo) {
		sendHubError(res, denial!.status, denial!.message, {
			code: denial!.code,
			headers: { ...base, ...denial!.headers },
			head
		});
		return null;
	}
	const commit = resolveRevision(repo, rev);
	if (!commit) {
		sendHubError(res, 404, `Invalid rev id: ${decodeURIComponent(rev)}`, {
			code: 'RevisionNotFound',
			headers: base,
			head
		});
		return null;
	}
	const file = repo.files.get(path);
	if (!file) {
		sendHubError(res, 404, 'Entry not found', {
			code: 'EntryNotFound',
			headers: { ...base, 'X-Repo-Commit': commit },
			head
		});
		return null;
	}
	return { repo, commit, file };
}

/** `GET|HEAD /{namespace}/{name}/resolve/{rev}/{path}` on the hub origin. */
export function handleResolve(
	ctx: Ctx,
	req: IncomingMessage,
	res: ServerResponse,
	identity: Identity | null,
	parts: { repoId: string; rev: string; path: string },
	base: Headers
): void {
	const head = req.method === 'HEAD';
	const target = locate(ctx, res, identity, parts.repoId, parts.rev, parts.path, base, head);
	if (!target) return;
	const { repo, commit, file } = target;
	if (file.lfs) {
		const location = cdnUrlFor(ctx, repo, file);
		const body = head ? '' : `Found. Redirecting to ${location}`;
		res.writeHead(302, {
			...base,
			Location: location,
			'X-Repo-Commit': commit,
			'X-Linked-Size': String(file.size),
			'X-Linked-ETag': `"${file.sha256}"`,
			ETag: `"${file.sha256}"`,
			'Accept-Ranges': 'bytes',
			'Content-Type': 'text/plain; charset=utf-8',
			'Content-Length': String(Buffer.byteLength(body)),
			Vary: 'Origin, Accept'
		});
		res.end(body);
		return;
	}
	const rawPath = `/${repo.id}/resolve/${parts.rev}/${parts.path}`;
	const location =
		`/api/resolve-cache/models/${repo.id}/${commit}/${encodePath(file.path)}?` +
		new URLSearchParams({ [rawPath]: '', etag: `"${file.oid}"` }).toString();
	const body = head ? '' : `Temporary Redirect. Redirecting to ${location}`;
	res.writeHead(307, {
		...base,
		Location: location,
		'X-Repo-Commit': commit,
		ETag: `"${file.oid}"`,
		'Content-Type': 'text/plain; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(body)),
		Vary: 'Origin, Accept'
	});
	res.end(body);
}

export function encodePath(path: string): string {
	return path.split('/').map(encodeURIComponent).join('/');
}

/** `GET|HEAD /api/resolve-cache/models/{namespace}/{name}/{commit}/{path}`: small files, served by the Hub. */
export async function handleResolveCache(
	ctx: Ctx,
	req: IncomingMessage,
	res: ServerResponse,
	identity: Identity | null,
	parts: { repoId: string; rev: string; path: string },
	base: Headers
): Promise<void> {
	const target = locate(
		ctx,
		res,
		identity,
		parts.repoId,
		parts.rev,
		parts.path,
		base,
		req.method === 'HEAD'
	);
	if (!target) return;
	const { repo, commit, file } = target;
	const matchPath = `${req.url ?? ''}\n/${repo.id}/resolve/${commit}/${file.path}`;
	await streamFile(ctx, req, res, file, {
		origin: 'hub',
		matchPath,
		headers: {
			...base,
			'X-Repo-Commit': commit,
			ETag: `"${file.oid}"`,
			'Content-Type': file.path.endsWith('.md')
				? 'text/markdown; charset=utf-8'
				: file.path.endsWith('.json')
					? 'application/json; charset=utf-8'
					: 'text/plain; charset=utf-8',
			'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.path.split('/').pop()!)}; filename="${file.path.split('/').pop()}";`,
			'Cache-Control': 'private, max-age=0, must-revalidate'
		}
	});
}

const CDN_CORS: Headers = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Expose-Headers': `${EXPOSED_HEADERS}, Content-Length, Content-Disposition`
};

function cdnError(res: ServerResponse, status: number, code: string, message: string) {
	const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
	sendText(res, status, body, CDN_CORS, 'application/xml');
}

/** Every request on the CDN origin. */
export async function handleCdn(ctx: Ctx, req: IncomingMessage, res: ServerResponse) {
	const url = new URL(req.url ?? '/', ctx.cdnUrl);
	if (req.method === 'OPTIONS') {
		res.writeHead(200, {
			...CDN_CORS,
			'Access-Control-Allow-Methods': 'GET, HEAD',
			'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
			'Access-Control-Max-Age': '3000',
			'Content-Length': '0'
		});
		res.end();
		return;
	}
	const m = /^\/repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{24})\/([0-9a-f]{64})$/.exec(
		url.pathname
	);
	if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) {
		cdnError(res, 403, 'AccessDenied', 'Access denied');
		return;
	}
	const disposition = url.searchParams.get('response-content-disposition') ?? '';
	const expires = Number(url.searchParams.get('Expires'));
	const given = Buffer.from(url.searchParams.get('Signature') ?? '');
	const expected = Buffer.from(sign(ctx, `${url.pathname}\n${disposition}\n${expires}`));
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		cdnError(res, 403, 'AccessDenied', 'Invalid signature');
		return;
	}
	const issued = ctx.state.signedAt.get(given.toString());
	if (
		!(expires * 1000 > Date.now()) ||
		(issued !== undefined && ctx.state.takeExpiryFault(req.url ?? '', Date.now() - issued))
	) {
		cdnError(res, 403, 'AccessDenied', 'Request has expired');
		return;
	}
	const [, objectId, sha] = m;
	const repo = [...ctx.repos.values()].find((r) => r.objectId === objectId);
	const file = repo && [...repo.files.values()].find((f) => f.sha256 === sha && f.lfs);
	if (!repo || !file) {
		cdnError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
		return;
	}
	await streamFile(ctx, req, res, file, {
		origin: 'cdn',
		matchPath: `${req.url ?? ''}\n/${repo.id}/resolve/${repo.sha}/${file.path}`,
		headers: {
			...CDN_CORS,
			'Content-Type': url.searchParams.get('response-content-type') ?? 'application/octet-stream',
			'Content-Disposition': disposition,
			ETag: `"${file.sha256}"`,
			'Last-Modified': new Date(repo.meta.lastModified).toUTCString(),
			'Cache-Control': 'public, max-age=604800, immutable, s-maxage=604800',
			Vary: 'Origin'
		}
	});
}
