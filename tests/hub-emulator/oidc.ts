/**
 * OAuth 2.0 / OpenID Connect as the Hub does it, with a real OpenID provider (`oidc-provider`):
 * issuer = hub URL, endpoints under `/oauth/…`, public clients with PKCE S256, loopback redirect URIs
 * on any port, opaque `hf_oauth_…` access tokens (8 h by default), rotating single-use refresh tokens
 * (switchable off), userinfo claims as the Hub's, and login/consent pages a browser test can fill.
 */
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { OAuthTokenInfo } from './access';
import type { Ctx } from './context';
import { readForm, sendText } from './http';
import { consentPage, errorPage, loginPage } from './pages';
import { avatarUrl, USERS, type User } from './users';

export const SCOPES = [
	'openid',
	'profile',
	'email',
	'read-repos',
	'gated-repos',
	'write-repos',
	'manage-repos',
	'inference-api'
];

export const CLIENTS = [
	{ client_id: 'citrate-e2e', client_name: 'Citrate (e2e)' },
	{ client_id: 'citrate-dev', client_name: 'Citrate (dev)' }
];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface Oidc {
	handles(path: string): boolean;
	handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
	lookup(token: string): Promise<OAuthTokenInfo | undefined>;
	/** Drops every session, grant and token (a fresh provider). */
	reset(): Promise<void>;
}

function hfOauthToken(): string {
	let s = 'hf_oauth_';
	for (let i = 0; i < 40; i++) s += ALNUM[randomInt(ALNUM.length)];
	return s;
}

function userClaims(ctx: Ctx, user: User) {
	return {
		sub: user.id,
		name: user.fullname,
		preferred_username: user.name,
		picture: new URL(avatarUrl(user.name), ctx.hubUrl).href,
		profile: `${ctx.hubUrl}/${user.name}`,
		website: `https://example.com/~${user.name}`,
		email: user.email,
		email_verified: true,
		isPro: user.isPro,
		orgs: user.orgs.map((o) => ({
			sub: o.id,
			name: o.fullname,
			preferred_username: o.name,
			picture: new URL(avatarUrl(o.name), ctx.hubUrl).href,
			isEnterprise: false
		}))
	};
}

function isLoopbackOrigin(origin: string): boolean {
	const u = URL.parse(origin);
	return !!u && u.protocol === 'http:' && LOOPBACK.has(u.hostname);
}

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string };

/** oidc-provider storage adapter: one in-memory store per provider instance (a reset drops it). */
function memoryAdapter() {
	const store = new Map<string, { payload: Payload; expiresAt: number }>();
	return class MemoryAdapter {
		readonly #name: string;
		constructor(name: string) {
			this.#name = name;
		}
		#key(id: string) {
			return `${this.#name}:${id}`;
		}
		#get(key: string): Payload | undefined {
			const hit = store.get(key);
			if (!hit) return undefined;
			if (hit.expiresAt && hit.expiresAt < Date.now()) {
				store.delete(key);
				return undefined;
			}
			return hit.payload;
		}
		async upsert(id: string, payload: Payload, expiresIn?: number) {
			store.set(this.#key(id), {
				payload,
				expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : 0
			});
		}
		async find(id: string) {
			return this.#get(this.#key(id));
		}
		async findByUid(uid: string) {
			for (const [key, v] of store) {
				if (key.startsWith(`${this.#name}:`) && v.payload.uid === uid) return this.#get(key);
			}
			return undefined;
		}
		async findByUserCode(code: string) {
			for (const [key, v] of store) {
				if (key.startsWith(`${this.#name}:`) && v.payload.userCode === code) return this.#get(key);
			}
			return undefined;
		}
		async consume(id: string) {
			const p = this.#get(this.#key(id));
			if (p) p.consumed = Math.floor(Date.now() / 1000);
		}
		async destroy(id: string) {
			store.delete(this.#key(id));
		}
		async revokeByGrantId(grantId: string) {
			for (const [key, v] of store) if (v.payload.grantId === grantId) store.delete(key);
		}
	};
}

function makeProvider(ctx: Ctx, findUser: (id: string) => User | undefined): Provider {
	const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
		format: 'jwk'
	});
	const provider = new Provider(ctx.hubUrl, {
		adapter: memoryAdapter(),
		clients: CLIENTS.map((c) => ({
			...c,
			application_type: 'native', // oidc-provider's switch for "loopback redirect URIs: any port"
			token_endpoint_auth_method: 'none',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			redirect_uris: ['http://localhost/auth/callback', 'http://127.0.0.1/auth/callback']
		})),
		jwks: { keys: [{ ...key, kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }] },
		cookies: { keys: [randomBytes(32).toString('hex')] },
		routes: {
			authorization: '/oauth/authorize',
			token: '/oauth/token',
			userinfo: '/oauth/userinfo',
			jwks: '/oauth/jwks',
			revocation: '/oauth/revoke',
			introspection: '/oauth/introspect',
			end_session: '/oauth/logout',
			device_authorization: '/oauth/device',
			code_verification: '/oauth/device/verify',
			pushed_authorization_request: '/oauth/par',
			registration: '/oauth/register',
			backchannel_authentication: '/oauth/backchannel',
			challenge: '/oauth/challenge'
		},
		scopes: SCOPES,
		claims: {
			openid: ['sub'],
			profile: ['name', 'preferred_username', 'picture', 'profile', 'website', 'isPro', 'orgs'],
			email: ['email', 'email_verified']
		},
		conformIdTokenClaims: false,
		responseTypes: ['code'],
		pkce: { required: () => true },
		features: {
			devInteractions: { enabled: false },
			rpInitiatedLogout: { enabled: false },
			userinfo: { enabled: true },
			// On in the provider; `state.config.revocation` hides it (discovery + endpoint) per test.
			revocation: { enabled: true },
			introspection: { enabled: false },
			pushedAuthorizationRequests: { enabled: false },
			dPoP: { enabled: false }
		},
		clientBasedCORS: (_c: unknown, origin: string, client: { redirectUris: string[] }): boolean =>
			origin !== 'null' &&
			(isLoopbackOrigin(origin) ||
				client.redirectUris.some((u) => URL.parse(u)?.origin === origin)),
		findAccount: async (_c: unknown, sub: string) => {
			const user = findUser(sub);
			if (!user) return undefined;
			return { accountId: user.id, claims: async () => userClaims(ctx, user) };
		},
		interactions: {
			url: (_c: unknown, interaction: { uid: string }) => `/oauth/interaction/${interaction.uid}`
		},
		ttl: {
			AccessToken: () => ctx.state.config.accessTokenTtlSeconds,
			AuthorizationCode: 60,
			IdToken: 3600,
			Interaction: 3600,
			Grant: 30 * 24 * 3600,
			Session: 14 * 24 * 3600,
			RefreshToken: 30 * 24 * 3600
		},
		expiresWithSession: async () => false,
		issueRefreshToken: async (_c: unknown, client: { grantTypeAllowed(t: string): boolean }) =>
			ctx.state.config.refreshTokens && client.grantTypeAllowed('refresh_token'),
		rotateRefreshToken: () => true,
		renderError: async (
			koa: { type: string; body: string },
			out: { error: string; error_description?: string }
		) => {
			koa.type = 'html';
			koa.body = errorPage(`${out.error}: ${out.error_description ?? ''}`);
		}
	});
	// Opaque access tokens look like the Hub's: `hf_oauth_…`. The original call picks the format.
	const generateTokenId = provider.AccessToken.prototype.generateTokenId;
	provider.AccessToken.prototype.generateTokenId = function (this: unknown) {
		generateTokenId.call(this);
		return hfOauthToken();
	};
	provider.on('server_error', (_c, err) => console.error('[hub-emulator oidc]', err));
	// Revocation switched off: the endpoint is not advertised and answers 404, as on a Hub without it.
	provider.use(async (koa, next) => {
		const off = !ctx.state.config.revocation;
		if (off && koa.path === '/oauth/revoke') {
			koa.status = 404;
			koa.body = { error: 'not_found' };
			return;
		}
		await next();
		if (off && koa.path === '/.well-known/openid-configuration' && koa.body) {
			const body = koa.body as Record<string, unknown>;
			delete body.revocation_endpoint;
			delete body.revocation_endpoint_auth_methods_supported;
			delete body.revocation_endpoint_auth_signing_alg_values_supported;
		}
	});
	return provider;
}

export async function createOidc(
	ctx: Ctx,
	findUser: (id: string) => User | undefined
): Promise<Oidc> {
	let provider = makeProvider(ctx, findUser);
	let callback = provider.callback();

	async function interaction(req: IncomingMessage, res: ServerResponse, url: URL) {
		const m = /^\/oauth\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(url.pathname);
		if (!m) return sendText(res, 404, errorPage('Not found'), {}, 'text/html; charset=utf-8');
		let details;
		try {
			details = await provider.interactionDetails(req, res);
		} catch {
			return sendText(
				res,
				400,
				errorPage('This sign-in request has expired or is unknown. Start again from the app.'),
				{},
				'text/html; charset=utf-8'
			);
		}
		const client = await provider.Client.find(details.params.client_id);
		const clientName = client?.clientName ?? details.params.client_id;
		const html = (status: number, body: string) =>
			sendText(res, status, body, { 'Cache-Control': 'no-store' }, 'text/html; charset=utf-8');
		const action = m[2];

		if (action === 'login' && req.method === 'POST') {
			const form = await readForm(req);
			const username = String(form.username ?? '');
			const user = USERS.find((u) => u.name === username || u.email === username);
			if (!user || user.password !== String(form.password ?? '')) {
				return html(
					401,
					loginPage(details.uid, clientName, 'Invalid username or password.', username)
				);
			}
			return provider.interactionFinished(
				req,
				res,
				{ login: { accountId: user.id } },
				{ mergeWithLastSubmission: false }
			);
		}
		if (action === 'confirm' && req.method === 'POST') {
			const form = await readForm(req);
			if (form.decision !== 'authorize') {
				return provider.interactionFinished(
					req,
					res,
					{
						error: 'access_denied',
						error_description: 'The user denied the authorization request'
					},
					{ mergeWithLastSubmission: false }
				);
			}
			const accountId = details.session?.accountId;
			if (!accountId) return html(400, errorPage('Not signed in.'));
			const grant =
				(details.grantId && (await provider.Grant.find(details.grantId))) ||
				new provider.Grant({ accountId, clientId: details.params.client_id });
			const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
			if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
			if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
			for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
				grant.addResourceScope(indicator, scopes.join(' '));
			}
			const grantId = await grant.save();
			return provider.interactionFinished(
				req,
				res,
				{ consent: details.grantId ? {} : { grantId } },
				{ mergeWithLastSubmission: true }
			);
		}
		if (req.method !== 'GET') return html(405, errorPage('Method not allowed'));
		if (details.prompt.name === 'login') {
			return html(
				200,
				loginPage(details.uid, clientName, undefined, details.params.login_hint ?? '')
			);
		}
		const user = findUser(details.session?.accountId ?? '');
		const requested = (details.params.scope ?? '').split(' ').filter((s) => SCOPES.includes(s));
		return html(200, consentPage(details.uid, clientName, user?.name ?? '?', requested));
	}

	return {
		handles: (path) => path === '/.well-known/openid-configuration' || path.startsWith('/oauth/'),
		async handle(req, res, url) {
			if (url.pathname.startsWith('/oauth/interaction/')) return interaction(req, res, url);
			callback(req, res);
		},
		async lookup(token) {
			const t = await provider.AccessToken.find(token);
			if (!t) return undefined;
			return { accountId: t.accountId, scope: t.scope ?? '', clientId: t.clientId, exp: t.exp };
		},
		async reset() {
			provider = makeProvider(ctx, findUser);
			callback = provider.callback();
		}
	};
}
