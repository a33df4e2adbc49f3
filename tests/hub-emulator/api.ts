/** The Hub's model REST API: list/search, model info, tree, paths-info, auth-check, whoami-v2. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canSeeRepo, fileAccess, repoNotFound, type Identity } from './access';
import { findRepo, resolveRevision, type Ctx } from './context';
import { readForm, sendHubError, sendJson, type Headers } from './http';
import type { Repo, RepoFile } from './repo-store';
import { avatarUrl } from './users';

const EXPANDABLE = new Set([
	'author',
	'baseModels',
	'cardData',
	'childrenModelCount',
	'config',
	'createdAt',
	'disabled',
	'downloads',
	'downloadsAllTime',
	'gated',
	'gguf',
	'gitalyUid',
	'inference',
	'inferenceProviderMapping',
	'lastModified',
	'library_name',
	'likes',
	'mask_token',
	'model-index',
	'pipeline_tag',
	'private',
	'resourceGroup',
	'safetensors',
	'sha',
	'siblings',
	'spaces',
	'tags',
	'transformersInfo',
	'trendingScore',
	'usedStorage',
	'widgetData',
	'xetEnabled'
]);

const SORT_KEYS = new Set([
	'downloads',
	'likes',
	'trendingScore',
	'lastModified',
	'createdAt',
	'id'
]);

function trendingScore(repo: Repo): number {
	return repo.meta.trendingScore ?? Math.round(repo.meta.likes / 20 + repo.meta.downloads / 50_000);
}

function siblings(repo: Repo, blobs: boolean) {
	return [...repo.files.values()]
		.sort((a, b) => (a.path < b.path ? -1 : 1))
		.map((f) =>
			blobs
				? {
						rfilename: f.path,
						blobId: f.oid,
						size: f.size,
						...(f.lfs
							? { lfs: { sha256: f.sha256, size: f.size, pointerSize: f.pointerSize } }
							: {})
					}
				: { rfilename: f.path }
		);
}

/** Every field the emulator knows for a model, by API name. */
function allFields(repo: Repo, blobs: boolean): Record<string, unknown> {
	const m = repo.meta;
	const usedStorage = [...repo.files.values()].reduce((s, f) => s + f.size, 0);
	return {
		_id: repo.objectId,
		id: repo.id,
		author: repo.namespace,
		sha: repo.sha,
		lastModified: m.lastModified,
		createdAt: m.createdAt,
		private: m.private,
		gated: m.gated,
		disabled: false,
		downloads: m.downloads,
		downloadsAllTime: m.downloadsAllTime ?? m.downloads * 7,
		likes: m.likes,
		trendingScore: trendingScore(repo),
		tags: m.tags,
		pipeline_tag: m.pipeline_tag,
		library_name: m.library_name,
		cardData: m.cardData,
		config: m.config ?? {},
		gguf: m.gguf,
		siblings: siblings(repo, blobs),
		spaces: [],
		usedStorage,
		gitalyUid: repo.sha.slice(0, 12),
		xetEnabled: false,
		'model-index': null,
		widgetData: undefined,
		safetensors: undefined,
		transformersInfo: undefined,
		inference: 'warm',
		inferenceProviderMapping: [],
		childrenModelCount: 0,
		baseModels: undefined,
		mask_token: undefined,
		resourceGroup: undefined
	};
}

function pick(fields: Record<string, unknown>, keys: Iterable<string>): Record<string, unknown> {
	const out: Record<string, unknown> = { _id: fields._id, id: fields.id };
	for (const k of keys) if (fields[k] !== undefined) out[k] = fields[k];
	return out;
}

/** `expand` may be repeated and spelled `expand` or `expand[]`. */
function expandParams(q: URLSearchParams): string[] {
	return [...q.getAll('expand'), ...q.getAll('expand[]')].flatMap((v) => v.split(','));
}

function badExpand(res: ServerResponse, headers: Headers, key: string) {
	sendHubError(
		res,
		400,
		`"expand" must be one of [${[...EXPANDABLE].map((k) => `"${k}"`).join(', ')}]; got "${key}"`,
		{ headers }
	);
}

const LIST_DEFAULT_KEYS = [
	'author',
	'sha',
	'private',
	'gated',
	'downloads',
	'likes',
	'trendingScore',
	'tags',
	'pipeline_tag',
	'library_name',
	'createdAt',
	'lastModified'
];

function encodeCursor(offset: number): string {
	return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeCursor(cursor: string | null): number {
	if (!cursor) return 0;
	try {
		const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
		return typeof v.offset === 'number' && v.offset >= 0 ? v.offset : -1;
	} catch {
		return -1;
	}
}

function truthy(v: string | null): boolean {
	return v !== null && v !== 'false' && v !== '0';
}

/** `GET /api/models` */
export function listModels(
	ctx: Ctx,
	url: URL,
	res: ServerResponse,
	identity: Identity | null,
	headers: Headers
): void {
	const q = url.searchParams;
	const expand = expandParams(q);
	for (const key of expand) if (!EXPANDABLE.has(key)) return badExpand(res, headers, key);
	const search = (q.get('search') ?? '').toLowerCase();
	const author = (q.get('author') ?? '').toLowerCase();
	const filters = q
		.getAll('filter')
		.flatMap((f) => f.split(','))
		.filter(Boolean);
	const pipeline = q.get('pipeline_tag');
	const library = q.get('library');
	const sort = q.get('sort') ?? 'trendingScore';
	if (!SORT_KEYS.has(sort)) {
		return sendHubError(res, 400, `Invalid sort parameter: ${sort}`, { headers });
	}
	const direction = q.get('direction') === '1' ? 1 : -1;
	const limitRaw = q.get('limit');
	const limit = Math.min(1000, Math.max(1, limitRaw ? Number(limitRaw) || 1000 : 1000));
	const offset = decodeCursor(q.get('cursor'));
	if (offset < 0) return sendHubError(res, 400, 'Invalid cursor', { headers });

	const matches = [...ctx.repos.values()].filter((repo) => {
		if (!canSeeRepo(repo, identity)) return false;
		if (search && !repo.id.toLowerCase().includes(search)) return false;
		if (author && repo.namespace.toLowerCase() !== author) return false;
		if (pipeline && repo.meta.pipeline_tag !== pipeline) return false;
		if (library && repo.meta.library_name !== library) return false;
		return filters.every(
			(f) =>
				repo.meta.tags.includes(f) || repo.meta.library_name === f || repo.meta.pipeline_tag === f
		);
	});
	const value = (r: Repo): number | string => {
		if (sort === 'id') return r.id;
		if (sort === 'trendingScore') return trendingScore(r);
		if (sort === 'lastModified' || sort === 'createdAt') return Date.parse(r.meta[sort]);
		return r.meta[sort as 'downloads' | 'likes'];
	};
	matches.sort((a, b) => {
		const va = value(a);
		const vb = value(b);
		if (va !== vb) return (va < vb ? -1 : 1) * direction;
		return a.id < b.id ? -1 : 1;
	});

	const page = matches.slice(offset, offset + limit);
	const full = truthy(q.get('full'));
	const keys = expand.length
		? expand
		: [...LIST_DEFAULT_KEYS, ...(full ? ['siblings', 'disabled'] : [])];
	if (!expand.length && truthy(q.get('config'))) keys.push('config');
	const body = page.map((repo) => {
		const item = pick(allFields(repo, false), keys);
		if (!expand.length) item.modelId = repo.id;
		return item;
	});
	const out: Headers = { ...headers };
	if (offset + limit < matches.length) {
		const next = new URL(url.pathname, ctx.hubUrl);
		for (const [k, v] of q) if (k !== 'cursor') next.searchParams.append(k, v);
		next.searchParams.set('cursor', encodeCursor(offset + limit));
		out.Link = `<${next.href}>; rel="next"`;
	}
	sendJson(res, 200, body, out);
}

/** Looks a repo up for a metadata route, answering 401/404 like the Hub. */
function visibleRepo(
	ctx: Ctx,
	res: ServerResponse,
	id: string,
	identity: Identity | null,
	headers: Headers
): Repo | null {
	const repo = findRepo(ctx, id);
	if (repo && canSeeRepo(repo, identity)) return repo;
	const d = repoNotFound(identity);
	sendHubError(res, d.status, d.message, { code: d.code, headers });
	return null;
}

function revisionOr404(
	repo: Repo,
	rev: string,
	res: ServerResponse,
	headers: Headers
): string | null {
	const commit = resolveRevision(repo, rev);
	if (!commit) {
		sendHubError(res, 404, `Invalid rev id: ${decodeURIComponent(rev)}`, {
			code: 'RevisionNotFound',
			headers
		});
	}
	return commit;
}

/** `GET /api/models/{id}` and `/api/models/{id}/revision/{rev}` */
export function modelInfo(
	ctx: Ctx,
	url: URL,
	res: ServerResponse,
	identity: Identity | null,
	repoId: string,
	rev: string,
	headers: Headers
): void {
	const repo = visibleRepo(ctx, res, repoId, identity, headers);
	if (!repo) return;
	if (!revisionOr404(repo, rev, res, headers)) return;
	const q = url.searchParams;
	const expand = expandParams(q);
	for (const key of expand) if (!EXPANDABLE.has(key)) return badExpand(res, headers, key);
	const fields = allFields(repo, truthy(q.get('blobs')));
	const body = expand.length
		? pick(fields, expand)
		: {
				...pick(fields, [
					'private',
					'pipeline_tag',
					'library_name',
					'tags',
					'downloads',
					'likes',
					'author',
					'sha',
					'lastModified',
					'gated',
					'disabled',
					'gguf',
					'cardData',
					'siblings',
					'spaces',
					'createdAt',
					'usedStorage'
				]),
				modelId: repo.id
			};
	sendJson(res, 200, body, headers);
}

function treeEntry(repo: Repo, commit: string, f: RepoFile, expand: boolean) {
	return {
		type: 'file' as const,
		oid: f.oid,
		size: f.size,
		...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: f.pointerSize } } : {}),
		path: f.path,
		...(expand
			? {
					lastCommit: {
						id: commit,
						title: `Upload ${f.path}`,
						date: repo.meta.lastModified
					},
					securityFileStatus: { status: 'safe' }
				}
			: {})
	};
}

function dirEntry(repo: Repo, path: string) {
	const oid = [...repo.files.values()]
		.filter((f) => f.path.startsWith(`${path}/`))
		.map((f) => f.oid)
		.join('');
	return {
		type: 'directory' as const,
		oid: hashHex(`tree ${path} ${oid}`),
		size: 0,
		path
	};
}

function hashHex(s: string): string {
	// Small non-cryptographic stand-in for a git tree id (40 hex), stable per content.
	let h1 = 0x811c9dc5;
	let out = '';
	for (let round = 0; round < 5; round++) {
		for (let i = 0; i < s.length; i++) h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
		h1 = Math.imul(h1 ^ round, 0x01000193) >>> 0;
		out += h1.toString(16).padStart(8, '0');
	}
	return out;
}

/** Entries (files, then directories implied by them) under `prefix`. */
function listTree(repo: Repo, prefix: string, recursive: boolean) {
	const dirs = new Set<string>();
	const files: RepoFile[] = [];
	const base = prefix ? `${prefix}/` : '';
	for (const f of repo.files.values()) {
		if (!f.path.startsWith(base)) continue;
		const rest = f.path.slice(base.length).split('/');
		for (let i = 1; i < rest.length; i++) {
			if (!recursive && i > 1) break;
			dirs.add(base + rest.slice(0, i).join('/'));
		}
		if (recursive || rest.length === 1) files.push(f);
	}
	const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
	return {
		dirs: [...dirs].sort(byPath),
		files: files.sort((a, b) => byPath(a.path, b.path))
	};
}

/** `GET /api/models/{id}/tree/{rev}[/{path}]` */
export function tree(
	ctx: Ctx,
	url: URL,
	res: ServerResponse,
	identity: Identity | null,
	repoId: string,
	rev: string,
	path: string,
	headers: Headers
): void {
	const repo = visibleRepo(ctx, res, repoId, identity, headers);
	if (!repo) return;
	const commit = revisionOr404(repo, rev, res, headers);
	if (!commit) return;
	const q = url.searchParams;
	const recursive = truthy(q.get('recursive'));
	const expand = truthy(q.get('expand'));
	const prefix = path.replace(/\/+$/, '');
	const exact = prefix ? repo.files.get(prefix) : undefined;
	const { dirs, files } = listTree(repo, prefix, recursive);
	if (prefix && !exact && !dirs.length && !files.length) {
		return sendHubError(res, 404, `Entry not found: ${prefix}`, {
			code: 'EntryNotFound',
			headers: { ...headers, 'X-Repo-Commit': commit }
		});
	}
	const all = exact
		? [treeEntry(repo, commit, exact, expand)]
		: [
				...dirs.map((d) => dirEntry(repo, d)),
				...files.map((f) => treeEntry(repo, commit, f, expand))
			];
	const pageSize = Math.max(1, Math.min(Number(q.get('limit')) || (expand ? 50 : 1000), 1000));
	const offset = decodeCursor(q.get('cursor'));
	if (offset < 0) return sendHubError(res, 400, 'Invalid cursor', { headers });
	const out: Headers = { ...headers, 'X-Repo-Commit': commit };
	if (offset + pageSize < all.length) {
		const next = new URL(url.pathname, ctx.hubUrl);
		for (const [k, v] of q) if (k !== 'cursor') next.searchParams.append(k, v);
		next.searchParams.set('cursor', encodeCursor(offset + pageSize));
		out.Link = `<${next.href}>; rel="next"`;
	}
	sendJson(res, 200, all.slice(offset, offset + pageSize), out);
}

/** `POST /api/models/{id}/paths-info/{rev}` with `{ paths, expand }` (JSON or form). */
export async function pathsInfo(
	ctx: Ctx,
	req: IncomingMessage,
	res: ServerResponse,
	identity: Identity | null,
	repoId: string,
	rev: string,
	headers: Headers
): Promise<void> {
	const repo = visibleRepo(ctx, res, repoId, identity, headers);
	if (!repo) return;
	const commit = revisionOr404(repo, rev, res, headers);
	if (!commit) return;
	let body: Record<string, unknown>;
	try {
		body = await readForm(req);
	} catch {
		return sendHubError(res, 400, 'Invalid request body', { headers });
	}
	const paths = (Array.isArray(body.paths) ? body.paths : [body.paths]).filter(
		(p): p is string => typeof p === 'string'
	);
	if (!paths.length) return sendHubError(res, 400, '"paths" is required', { headers });
	const expand = body.expand === true || body.expand === 'true' || body.expand === '1';
	const out = [];
	for (const raw of paths) {
		const p = raw.replace(/^\/+|\/+$/g, '');
		const f = repo.files.get(p);
		if (f) out.push(treeEntry(repo, commit, f, expand));
		else if ([...repo.files.keys()].some((k) => k.startsWith(`${p}/`))) out.push(dirEntry(repo, p));
	}
	sendJson(res, 200, out, { ...headers, 'X-Repo-Commit': commit });
}

/** `GET /api/models/{id}/auth-check` */
export function authCheck(
	ctx: Ctx,
	res: ServerResponse,
	identity: Identity | null,
	repoId: string,
	headers: Headers
): void {
	const repo = findRepo(ctx, repoId);
	const d = repo ? fileAccess(repo, identity, ctx.state, null) : repoNotFound(identity);
	if (d)
		return sendHubError(res, d.status, d.message, {
			code: d.code,
			headers: { ...headers, ...d.headers }
		});
	sendJson(res, 200, {}, headers);
}

/** `GET /api/whoami-v2` */
export function whoami(ctx: Ctx, res: ServerResponse, identity: Identity, headers: Headers): void {
	const u = identity.user;
	const orgs = u.orgs.map((o) => ({
		type: 'org',
		id: o.id,
		name: o.name,
		fullname: o.fullname,
		email: null,
		canPay: false,
		avatarUrl: new URL(avatarUrl(o.name), ctx.hubUrl).href,
		roleInOrg: 'read',
		isEnterprise: false
	}));
	const auth =
		identity.kind === 'pat'
			? {
					type: 'access_token',
					accessToken: {
						displayName: identity.displayName,
						role: 'read',
						createdAt: identity.createdAt
					}
				}
			: {
					type: 'oauth',
					accessToken: {
						displayName: identity.clientId,
						role: 'fineGrained',
						createdAt: new Date().toISOString()
					},
					expiresAt: new Date(identity.expiresAt * 1000).toISOString()
				};
	const canEmail = identity.kind === 'pat' || identity.scopes.has('email');
	sendJson(
		res,
		200,
		{
			type: 'user',
			id: u.id,
			name: u.name,
			fullname: u.fullname,
			...(canEmail ? { email: u.email, emailVerified: true } : {}),
			canPay: false,
			isPro: u.isPro,
			periodEnd: null,
			avatarUrl: new URL(avatarUrl(u.name), ctx.hubUrl).href,
			orgs,
			auth
		},
		headers
	);
}
