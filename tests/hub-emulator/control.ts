/** The test-only control API under `/__emulator/` (contracts.md). CORS is open to any origin. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ctx } from './context';
import { preflight, readForm, sendJson, type Headers } from './http';
import { publishRepo, restoreRepos } from './publish';
import { validateFault } from './state';
import { findUser } from './users';

const CORS: Headers = { 'Access-Control-Allow-Origin': '*' };

function fail(res: ServerResponse, message: string, status = 400) {
	sendJson(res, status, { error: message }, CORS);
}

export async function control(
	ctx: Ctx,
	resetOidc: () => Promise<void>,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL
): Promise<void> {
	const method = req.method ?? 'GET';
	if (method === 'OPTIONS') return preflight(req, res, '*');
	const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
	let body: Record<string, unknown> = {};
	if (method === 'POST' || method === 'DELETE') {
		try {
			// A published repo carries its files (base64): up to 64 MiB each.
			body = await readForm(
				req,
				route === 'POST /__emulator/repos' ? 200 * 1024 * 1024 : undefined
			);
		} catch {
			return fail(res, 'invalid JSON body');
		}
	}
	const { state } = ctx;
	switch (route) {
		case 'GET /__emulator/health':
			// For the supervisor (supervise.ts): answered only while the event loop runs.
			return sendJson(res, 200, { ok: true, pid: process.pid }, CORS);
		case 'GET /__emulator/faults':
			return sendJson(res, 200, state.faults, CORS);
		case 'POST /__emulator/faults': {
			try {
				const list = Array.isArray(body) ? body : [body];
				const added = list.map((f) => state.addFault(validateFault(f)));
				return sendJson(res, 201, Array.isArray(body) ? added : added[0], CORS);
			} catch (err) {
				return fail(res, (err as Error).message);
			}
		}
		case 'DELETE /__emulator/faults':
			state.faults = [];
			return sendJson(res, 200, { ok: true }, CORS);
		case 'GET /__emulator/requests':
			return sendJson(res, 200, state.requests, CORS);
		case 'DELETE /__emulator/requests':
			state.requests = [];
			return sendJson(res, 200, { ok: true }, CORS);
		case 'GET /__emulator/grants':
			return sendJson(
				res,
				200,
				[...state.grants].flatMap(([repo, users]) => [...users].map((user) => ({ repo, user }))),
				CORS
			);
		case 'POST /__emulator/grants':
		case 'DELETE /__emulator/grants': {
			const { repo, user } = body;
			if (typeof repo !== 'string' || typeof user !== 'string') {
				return fail(res, 'repo and user are required');
			}
			if (!findUser(user)) return fail(res, `unknown user ${user}`);
			if (method === 'POST') state.grant(repo, user);
			else state.revoke(repo, user);
			return sendJson(res, 200, { ok: true }, CORS);
		}
		case 'GET /__emulator/config':
			return sendJson(res, 200, { ...state.config, rateLimits: ctx.rate.quotas }, CORS);
		case 'POST /__emulator/config': {
			const { refreshTokens, accessTokenTtlSeconds, rateLimits, revocation } = body;
			if (refreshTokens !== undefined) {
				if (typeof refreshTokens !== 'boolean') return fail(res, 'refreshTokens must be boolean');
				state.config.refreshTokens = refreshTokens;
			}
			if (revocation !== undefined) {
				if (typeof revocation !== 'boolean') return fail(res, 'revocation must be boolean');
				state.config.revocation = revocation;
			}
			if (accessTokenTtlSeconds !== undefined) {
				if (
					typeof accessTokenTtlSeconds !== 'number' ||
					!Number.isInteger(accessTokenTtlSeconds) ||
					accessTokenTtlSeconds < 1
				) {
					return fail(res, 'accessTokenTtlSeconds must be a positive integer');
				}
				state.config.accessTokenTtlSeconds = accessTokenTtlSeconds;
			}
			if (rateLimits !== undefined) {
				const r = rateLimits as Record<string, unknown>;
				for (const key of ['api', 'resolvers'] as const) {
					if (typeof r[key] === 'number') ctx.rate.quotas[key] = r[key];
				}
			}
			return sendJson(res, 200, { ...state.config, rateLimits: ctx.rate.quotas }, CORS);
		}
		case 'POST /__emulator/reset':
			state.reset();
			ctx.rate.reset();
			restoreRepos(ctx);
			await resetOidc();
			return sendJson(res, 200, { ok: true }, CORS);
		case 'GET /__emulator/repos':
			return sendJson(
				res,
				200,
				[...ctx.repos.values()].map((r) => ({
					id: r.id,
					sha: r.sha,
					gated: r.meta.gated,
					private: r.meta.private,
					files: [...r.files.values()].map((f) => ({
						path: f.path,
						size: f.size,
						lfs: f.lfs,
						sha256: f.sha256,
						sha256Checkable: f.sha256Checkable
					}))
				})),
				CORS
			);
		case 'POST /__emulator/repos': {
			try {
				const repo = await publishRepo(ctx, body);
				return sendJson(res, 201, { id: repo.id, sha: repo.sha }, CORS);
			} catch (err) {
				return fail(res, (err as Error).message);
			}
		}
		default:
			return fail(res, `unknown control route ${route}`, 404);
	}
}
