/**
 * The Hugging Face Hub emulator: two HTTP servers, the hub origin (REST API, resolve, OAuth/OIDC,
 * control API under `/__emulator`) and a CDN origin that the hub redirects large files to.
 *
 *   const hub = await startHubEmulator({ port: 0, cdnPort: 0 });
 *   hub.hubUrl; hub.cdnUrl; await hub.close();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, canSeeRepo, INVALID_CREDENTIALS, type Identity } from './access';
import { authCheck, listModels, modelInfo, pathsInfo, tree, whoami } from './api';
import { findRepo, RateLimiter, type Ctx } from './context';
import { control } from './control';
import { defaultReposDir, ensureDefaultRepos } from './default-repos';
import { handleCdn, handleResolve, handleResolveCache } from './files';
import {
	hubCorsHeaders,
	preflight,
	requestId,
	sendHubError,
	sendJson,
	sendText,
	type Headers
} from './http';
import { createOidc, type Oidc } from './oidc';
import { profilePage, repoPage } from './pages';
import { loadRepos } from './repo-store';
import { EmulatorState, type Origin } from './state';
import { findUser } from './users';

export interface HubEmulatorOptions {
	/** Hub port; 0 (default) picks a free one. */
	port?: number;
	/** CDN port; 0 (default) picks a free one. */
	cdnPort?: number;
	/** Folder of `<owner>/<name>/repo.json` repos; default: the built-in set (built on first use). */
	reposDir?: string;
	/** Interface to listen on (default 127.0.0.1). */
	host?: string;
}

export interface HubEmulator {
	hubUrl: string;
	cdnUrl: string;
	close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

function urlHost(host: string): string {
	if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
	return host.includes(':') ? `[${host}]` : host;
}

const REPO = '([^/]+/[^/]+)';

/** Status faults (429/503) set through the control API. */
function answerStatusFault(
	ctx: Ctx,
	origin: Origin,
	req: IncomingMessage,
	res: ServerResponse,
	cors: Headers
): boolean {
	const fault = ctx.state.takeStatusFault(origin, req.url ?? '');
	if (!fault) return false;
	const headers: Headers = { ...cors };
	const after = fault.retryAfterSeconds ?? (fault.status === 429 ? 1 : undefined);
	if (after !== undefined) headers['Retry-After'] = String(after);
	if (fault.status === 429) {
		headers.RateLimit = `"${req.url?.includes('/resolve') ? 'resolvers' : 'api'}";r=0;t=${after}`;
		headers['RateLimit-Policy'] = `"fixed window";"resolvers";q=3000;w=300`;
	}
	const message =
		fault.status === 429
			? 'You have been rate-limited; you can retry this action in a few seconds.'
			: 'Service Unavailable';
	if (origin === 'cdn') sendText(res, fault.status!, message, headers);
	else sendHubError(res, fault.status!, message, { headers, head: req.method === 'HEAD' });
	return true;
}

function avatarSvg(name: string): string {
	const hue = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="32" fill="hsl(${hue} 60% 55%)"/><text x="32" y="41" font-size="28" text-anchor="middle" fill="#fff" font-family="sans-serif">${name.slice(0, 1).toUpperCase()}</text></svg>`;
}

async function handleHub(
	ctx: Ctx,
	oidc: () => Oidc,
	req: IncomingMessage,
	res: ServerResponse
): Promise<void> {
	const url = new URL(req.url ?? '/', ctx.hubUrl);
	const path = url.pathname;
	if (path.startsWith('/__emulator/')) return control(ctx, oidcReset, req, res, url);
	ctx.state.log(
		{
			time: new Date().toISOString(),
			origin: 'hub',
			method: req.method ?? 'GET',
			url: url.href,
			headers: req.headers
		},
		res
	);

	// OAuth / OIDC: oidc-provider answers (with its own CORS) under /oauth and discovery.
	if (oidc().handles(path)) {
		const cors = hubCorsHeaders(req);
		if (answerStatusFault(ctx, 'hub', req, res, cors)) return;
		return oidc().handle(req, res, url);
	}

	const cors: Headers = { ...hubCorsHeaders(req), 'X-Request-Id': requestId() };
	if (req.method === 'OPTIONS') return preflight(req, res, req.headers.origin ?? '*');
	if (answerStatusFault(ctx, 'hub', req, res, cors)) return;

	if (path === '/favicon.ico') return sendText(res, 200, avatarSvg('🤗'), cors, 'image/svg+xml');
	const avatar = /^\/avatars\/([\w.-]+)\.svg$/.exec(path);
	if (avatar) {
		return sendText(res, 200, avatarSvg(avatar[1]!), cors, 'image/svg+xml');
	}

	const auth = await authenticate(req, ctx.lookupOAuth);
	const head = req.method === 'HEAD';
	if ('invalid' in auth) {
		return sendHubError(res, INVALID_CREDENTIALS.status, INVALID_CREDENTIALS.message, {
			headers: cors,
			head
		});
	}
	const identity: Identity | null = auth.identity;
	const caller = identity?.token ?? req.socket.remoteAddress ?? 'anon';
	const isResolve =
		/^\/[^/]+\/[^/]+\/resolve\//.test(path) || path.startsWith('/api/resolve-cache/');
	const limit = ctx.rate.hit(isResolve ? 'resolvers' : 'api', caller);
	const headers: Headers = { ...cors, ...limit.headers };
	if (limit.over) {
		return sendHubError(res, 429, 'You have exceeded our rate limits. Retry later.', {
			headers: { ...headers, 'Retry-After': String(limit.reset) },
			head
		});
	}

	let m: RegExpExecArray | null;
	const method = req.method ?? 'GET';
	const get = method === 'GET' || method === 'HEAD';

	if ((m = new RegExp(`^/${REPO}/resolve/([^/]+)/(.+)$`).exec(path)) && get) {
		return handleResolve(
			ctx,
			req,
			res,
			identity,
			{ repoId: m[1]!, rev: m[2]!, path: decodeURIComponent(m[3]!) },
			headers
		);
	}
	if ((m = new RegExp(`^/api/resolve-cache/models/${REPO}/([^/]+)/(.+)$`).exec(path)) && get) {
		return handleResolveCache(
			ctx,
			req,
			res,
			identity,
			{ repoId: m[1]!, rev: m[2]!, path: decodeURIComponent(m[3]!) },
			headers
		);
	}
	if (path === '/api/models' && get) return listModels(ctx, url, res, identity, headers);
	if (path === '/api/whoami-v2' && get) {
		if (!identity) {
			return sendHubError(res, 401, 'Invalid username or password.', { headers, head });
		}
		return whoami(ctx, res, identity, headers);
	}
	if ((m = new RegExp(`^/api/models/${REPO}/auth-check$`).exec(path)) && get) {
		return authCheck(ctx, res, identity, m[1]!, headers);
	}
	if ((m = new RegExp(`^/api/models/${REPO}/revision/([^/]+)$`).exec(path)) && get) {
		return modelInfo(ctx, url, res, identity, m[1]!, m[2]!, headers);
	}
	if ((m = new RegExp(`^/api/models/${REPO}/tree/([^/]+)(?:/(.*))?$`).exec(path)) && get) {
		return tree(ctx, url, res, identity, m[1]!, m[2]!, decodeURIComponent(m[3] ?? ''), headers);
	}
	if (
		(m = new RegExp(`^/api/models/${REPO}/paths-info/([^/]+)$`).exec(path)) &&
		method === 'POST'
	) {
		return pathsInfo(ctx, req, res, identity, m[1]!, m[2]!, headers);
	}
	if ((m = new RegExp(`^/api/models/${REPO}$`).exec(path)) && get) {
		return modelInfo(ctx, url, res, identity, m[1]!, 'main', headers);
	}
	if (path === '/' && get) {
		return sendJson(res, 200, { emulator: 'citrate hub emulator', hubUrl: ctx.hubUrl }, headers);
	}
	if (path.startsWith('/api/')) return sendHubError(res, 404, 'Not Found', { headers, head });
	if ((m = new RegExp(`^/${REPO}/?$`).exec(path)) && get) {
		const repo = findRepo(ctx, decodeURIComponent(m[1]!));
		if (repo && canSeeRepo(repo, identity)) {
			const readme = repo.files.get('README.md');
			const text = readme ? (await readme.read(0, readme.size)).toString('utf8') : '';
			const html = repoPage(
				repo.id,
				{ gated: repo.meta.gated, private: repo.meta.private, sha: repo.sha, readme: text },
				[...repo.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))
			);
			return sendText(res, 200, html, headers, 'text/html; charset=utf-8');
		}
	}
	if ((m = /^\/([\w.-]+)\/?$/.exec(path)) && get) {
		const user = findUser(m[1]!);
		if (user) {
			const repos = [...ctx.repos.values()]
				.filter((r) => r.namespace === user.name && canSeeRepo(r, identity))
				.map((r) => r.id);
			const html = profilePage(user.name, user.fullname, repos);
			return sendText(res, 200, html, headers, 'text/html; charset=utf-8');
		}
	}
	return sendHubError(res, 404, 'Repository not found', { code: 'RepoNotFound', headers, head });

	function oidcReset() {
		return oidc().reset();
	}
}

export async function startHubEmulator(options: HubEmulatorOptions = {}): Promise<HubEmulator> {
	const host = options.host ?? '127.0.0.1';
	const reposDir = options.reposDir ?? (await ensureDefaultRepos(defaultReposDir()));
	const repos = await loadRepos(reposDir);
	const state = new EmulatorState();
	let oidcInstance: Oidc | null = null;
	const ctx: Ctx = {
		state,
		repos,
		hubUrl: '',
		cdnUrl: '',
		secret: randomBytes(32),
		rate: new RateLimiter(),
		lookupOAuth: (token) => oidcInstance?.lookup(token) ?? Promise.resolve(undefined)
	};
	const getOidc = () => {
		if (!oidcInstance) throw new Error('OIDC provider not ready');
		return oidcInstance;
	};
	const onError = (res: ServerResponse, err: unknown) => {
		if (err instanceof URIError && !res.headersSent) {
			return sendJson(res, 400, { error: 'Malformed URL' });
		}
		console.error('[hub-emulator]', err);
		if (!res.headersSent) sendJson(res, 500, { error: 'Internal Error' });
		else res.destroy();
	};
	const hub = createServer((req, res) => {
		handleHub(ctx, getOidc, req, res).catch((err: unknown) => onError(res, err));
	});
	const cdn = createServer((req, res) => {
		const url = new URL(req.url ?? '/', ctx.cdnUrl);
		state.log(
			{
				time: new Date().toISOString(),
				origin: 'cdn',
				method: req.method ?? 'GET',
				url: url.href,
				headers: req.headers
			},
			res
		);
		const cors = { 'Access-Control-Allow-Origin': '*' };
		if (req.method !== 'OPTIONS' && answerStatusFault(ctx, 'cdn', req, res, cors)) return;
		handleCdn(ctx, req, res).catch((err: unknown) => onError(res, err));
	});
	hub.keepAliveTimeout = 5000;
	cdn.keepAliveTimeout = 5000;
	const hubPort = await listen(hub, options.port ?? 0, host);
	const cdnPort = await listen(cdn, options.cdnPort ?? 0, host);
	ctx.hubUrl = `http://${urlHost(host)}:${hubPort}`;
	ctx.cdnUrl = `http://${urlHost(host)}:${cdnPort}`;
	oidcInstance = await createOidc(ctx, findUser);

	return {
		hubUrl: ctx.hubUrl,
		cdnUrl: ctx.cdnUrl,
		async close() {
			await Promise.all(
				[hub, cdn].map(
					(s) =>
						new Promise<void>((resolve) => {
							s.close(() => resolve());
							s.closeAllConnections();
						})
				)
			);
		}
	};
}
