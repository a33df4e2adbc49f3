/**
 * A full OAuth 2.0 authorization-code + PKCE login against the emulator's OpenID provider with
 * oauth4webapi, driving the login and consent pages with plain fetch and a cookie jar.
 */
import { whoAmI } from '@huggingface/hub';
import { createPublicKey, verify } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { bearer, controlPost, startTestHub } from './helpers';
import type { HubEmulator } from './server';

const CLIENT: oauth.Client = { client_id: 'citrate-e2e' };
const REDIRECT = 'http://localhost:5173/auth/callback';
const INSECURE = { [oauth.allowInsecureRequests]: true };

let hub: HubEmulator;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
	hub = await startTestHub();
	const issuer = new URL(hub.hubUrl);
	as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, INSECURE));
}, 120_000);
afterAll(() => hub?.close());
beforeEach(async () => {
	await controlPost(hub.hubUrl, 'reset', {});
});

/** A browser stand-in: follows redirects by hand, keeps cookies per name. */
class Browser {
	cookies = new Map<string, string>();

	async go(url: string, init: RequestInit = {}): Promise<Response> {
		const res = await fetch(new URL(url, hub.hubUrl), {
			...init,
			redirect: 'manual',
			headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() }
		});
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(';');
			const i = pair!.indexOf('=');
			const name = pair!.slice(0, i);
			const value = pair!.slice(i + 1);
			if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
		return res;
	}

	/** Follows redirects until one leaves the hub (returned as URL) or a page is shown. */
	async follow(
		url: string,
		init?: RequestInit
	): Promise<{ page?: string; status: number; left?: URL }> {
		let res = await this.go(url, init);
		for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
			const next = new URL(res.headers.get('location')!, hub.hubUrl);
			if (next.origin !== hub.hubUrl) return { status: res.status, left: next };
			res = await this.go(next.href);
		}
		return { status: res.status, page: await res.text() };
	}

	cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

function formAction(page: string): string {
	const m = /<form method="post" action="([^"]+)"/.exec(page);
	if (!m) throw new Error(`no form in page: ${page.slice(0, 300)}`);
	return m[1]!.replaceAll('&amp;', '&');
}

function postForm(browser: Browser, action: string, fields: Record<string, string>) {
	return browser.follow(action, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString()
	});
}

interface Started {
	url: URL;
	verifier: string;
	state: string;
	nonce: string;
}

async function authorizationUrl(scope: string, redirect = REDIRECT): Promise<Started> {
	const verifier = oauth.generateRandomCodeVerifier();
	const state = oauth.generateRandomState();
	const nonce = oauth.generateRandomNonce();
	const url = new URL(as.authorization_endpoint!);
	url.search = new URLSearchParams({
		client_id: CLIENT.client_id,
		redirect_uri: redirect,
		response_type: 'code',
		scope,
		state,
		nonce,
		code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
		code_challenge_method: 'S256'
	}).toString();
	return { url, verifier, state, nonce };
}

/** Signs in as `user` and authorizes; returns the callback URL the app would receive. */
async function signIn(browser: Browser, start: Started, user = 'alice', decision = 'authorize') {
	const login = await browser.follow(start.url.href);
	expect(login.page).toContain('<label for="username">Username</label>');
	expect(login.page).toContain('<button type="submit">Sign in</button>');
	const consent = await postForm(browser, formAction(login.page!), {
		username: user,
		password: `${user}-password`
	});
	expect(consent.page).toContain('>Authorize</button>');
	expect(consent.page).toContain('>Deny</button>');
	const done = await postForm(browser, formAction(consent.page!), { decision });
	expect(done.left, done.page).toBeDefined();
	return done.left!;
}

async function exchange(start: Started, callback: URL, redirect = REDIRECT) {
	const params = oauth.validateAuthResponse(as, CLIENT, callback, start.state);
	const res = await oauth.authorizationCodeGrantRequest(
		as,
		CLIENT,
		oauth.None(),
		params,
		redirect,
		start.verifier,
		INSECURE
	);
	return oauth.processAuthorizationCodeResponse(as, CLIENT, res, {
		expectedNonce: start.nonce,
		requireIdToken: true
	});
}

async function verifyIdTokenSignature(idToken: string) {
	const [h, p, s] = idToken.split('.') as [string, string, string];
	const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string };
	const jwks = (await (await fetch(as.jwks_uri!)).json()) as {
		keys: (JsonWebKey & { kid: string })[];
	};
	const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
	expect(header.alg).toBe('RS256');
	return verify(
		'sha256',
		Buffer.from(`${h}.${p}`),
		createPublicKey({ key: jwk, format: 'jwk' }),
		Buffer.from(s, 'base64url')
	);
}

describe('OIDC discovery', () => {
	test('names the endpoints as the Hub does and supports only S256', () => {
		expect(as.issuer).toBe(hub.hubUrl);
		expect(as.authorization_endpoint).toBe(`${hub.hubUrl}/oauth/authorize`);
		expect(as.token_endpoint).toBe(`${hub.hubUrl}/oauth/token`);
		expect(as.userinfo_endpoint).toBe(`${hub.hubUrl}/oauth/userinfo`);
		expect(as.jwks_uri).toBe(`${hub.hubUrl}/oauth/jwks`);
		expect(as.code_challenge_methods_supported).toEqual(['S256']);
		expect(as.scopes_supported).toEqual(
			expect.arrayContaining([
				'openid',
				'profile',
				'email',
				'read-repos',
				'gated-repos',
				'inference-api'
			])
		);
	});

	test('discovery, token and userinfo answer browser apps with CORS', async () => {
		const origin = 'http://localhost:4310';
		const d = await fetch(`${hub.hubUrl}/.well-known/openid-configuration`, {
			headers: { origin }
		});
		expect(d.headers.get('access-control-allow-origin')).toBeTruthy();
		const pre = await fetch(as.token_endpoint!, {
			method: 'OPTIONS',
			headers: {
				origin,
				'access-control-request-method': 'POST',
				'access-control-request-headers': 'content-type'
			}
		});
		expect(pre.status).toBeLessThan(300);
		const t = await fetch(as.token_endpoint!, {
			method: 'POST',
			headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=refresh_token&refresh_token=nope&client_id=citrate-e2e'
		});
		expect(t.headers.get('access-control-allow-origin')).toBe(origin);
	});
});

describe('authorization code + PKCE', () => {
	test('login, consent, code exchange, id_token, userinfo, Hub APIs, refresh rotation', async () => {
		const browser = new Browser();
		const start = await authorizationUrl('openid profile email gated-repos read-repos');
		const callback = await signIn(browser, start);
		expect(callback.origin + callback.pathname).toBe(REDIRECT);
		expect(callback.searchParams.get('state')).toBe(start.state);
		expect(callback.searchParams.get('iss')).toBe(hub.hubUrl);

		const tokens = await exchange(start, callback);
		expect(tokens.access_token).toMatch(/^hf_oauth_[A-Za-z0-9]{20,}$/);
		expect(tokens.token_type.toLowerCase()).toBe('bearer');
		expect(tokens.expires_in).toBe(28800);
		expect(tokens.scope?.split(' ').sort()).toEqual(
			['email', 'gated-repos', 'openid', 'profile', 'read-repos'].sort()
		);
		expect(tokens.refresh_token).toBeTruthy();
		const claims = oauth.getValidatedIdTokenClaims(tokens)!;
		expect(claims).toMatchObject({ iss: hub.hubUrl, aud: 'citrate-e2e', nonce: start.nonce });
		expect(claims.preferred_username).toBe('alice');
		expect(await verifyIdTokenSignature(tokens.id_token!)).toBe(true);

		const ui = await oauth.processUserInfoResponse(
			as,
			CLIENT,
			claims.sub,
			await oauth.userInfoRequest(as, CLIENT, tokens.access_token, INSECURE)
		);
		expect(ui).toMatchObject({
			sub: claims.sub,
			name: 'Alice Liddell',
			preferred_username: 'alice',
			profile: `${hub.hubUrl}/alice`,
			email: 'alice@example.com',
			isPro: false
		});
		expect(ui.picture).toMatch(/^http/);
		expect(ui.orgs).toEqual([expect.objectContaining({ preferred_username: 'llama-lovers' })]);

		// The OAuth token works on the Hub API like a PAT, within its scopes.
		const me = await whoAmI({ hubUrl: hub.hubUrl, accessToken: tokens.access_token });
		expect(me).toMatchObject({ name: 'alice', auth: { type: 'oauth' } });
		const gated = await fetch(
			`${hub.hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`,
			{ headers: { ...bearer(tokens.access_token), Range: 'bytes=0-3' } }
		);
		expect(gated.status).toBe(206);
		const priv = await fetch(`${hub.hubUrl}/api/models/alice/private-llama-GGUF`, {
			headers: bearer(tokens.access_token)
		});
		expect(priv.status).toBe(200);

		// Refresh tokens rotate and are single-use.
		const first = tokens.refresh_token!;
		const refreshed = await oauth.processRefreshTokenResponse(
			as,
			CLIENT,
			await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), first, INSECURE)
		);
		expect(refreshed.access_token).toMatch(/^hf_oauth_/);
		expect(refreshed.access_token).not.toBe(tokens.access_token);
		expect(refreshed.refresh_token).toBeTruthy();
		expect(refreshed.refresh_token).not.toBe(first);
		const reuse = oauth.processRefreshTokenResponse(
			as,
			CLIENT,
			await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), first, INSECURE)
		);
		await expect(reuse).rejects.toMatchObject({ error: 'invalid_grant' });
	});

	test('without gated-repos or read-repos the token cannot reach gated or private repos', async () => {
		const browser = new Browser();
		const start = await authorizationUrl('openid profile');
		const tokens = await exchange(start, await signIn(browser, start));
		const gated = await fetch(
			`${hub.hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`,
			{ headers: bearer(tokens.access_token), redirect: 'manual' }
		);
		expect(gated.status).toBe(403);
		expect(gated.headers.get('x-error-code')).toBe('GatedRepo');
		const priv = await fetch(`${hub.hubUrl}/api/models/alice/private-llama-GGUF`, {
			headers: bearer(tokens.access_token)
		});
		expect(priv.status).toBe(404);
	});

	test('refresh tokens can be switched off, and the access token lifetime configured', async () => {
		await controlPost(hub.hubUrl, 'config', { refreshTokens: false, accessTokenTtlSeconds: 120 });
		const start = await authorizationUrl('openid profile');
		const tokens = await exchange(start, await signIn(new Browser(), start));
		expect(tokens.refresh_token).toBeUndefined();
		expect(tokens.expires_in).toBe(120);

		await controlPost(hub.hubUrl, 'config', { accessTokenTtlSeconds: 1 });
		const start2 = await authorizationUrl('openid profile');
		const short = await exchange(start2, await signIn(new Browser(), start2));
		const who = () => fetch(`${hub.hubUrl}/api/whoami-v2`, { headers: bearer(short.access_token) });
		expect((await who()).status).toBe(200);
		await new Promise((r) => setTimeout(r, 2100));
		const expired = await who();
		expect(expired.status).toBe(401);
		expect(await expired.json()).toEqual({ error: 'Invalid credentials in Authorization header' });
	});

	test('RFC 7009 revocation: advertised, kills the access and refresh tokens; switchable off', async () => {
		expect(as.revocation_endpoint).toBe(`${hub.hubUrl}/oauth/revoke`);
		const start = await authorizationUrl('openid profile');
		const tokens = await exchange(start, await signIn(new Browser(), start));
		const who = () =>
			fetch(`${hub.hubUrl}/api/whoami-v2`, { headers: bearer(tokens.access_token) });
		expect((await who()).status).toBe(200);
		for (const token of [tokens.refresh_token!, tokens.access_token]) {
			const response = await oauth.revocationRequest(as, CLIENT, oauth.None(), token, INSECURE);
			await oauth.processRevocationResponse(response);
		}
		expect((await who()).status).toBe(401);
		await expect(
			oauth.refreshTokenGrantRequest(as, CLIENT, oauth.None(), tokens.refresh_token!, INSECURE)
		).resolves.toHaveProperty('status', 400);

		await controlPost(hub.hubUrl, 'config', { revocation: false });
		const issuer = new URL(hub.hubUrl);
		const off = await oauth.processDiscoveryResponse(
			issuer,
			await oauth.discoveryRequest(issuer, INSECURE)
		);
		expect(off.revocation_endpoint).toBeUndefined();
		const gone = await fetch(`${hub.hubUrl}/oauth/revoke`, {
			method: 'POST',
			body: new URLSearchParams({ token: 'x', client_id: CLIENT.client_id })
		});
		expect(gone.status).toBe(404);
	});

	test('Deny sends access_denied back to the app', async () => {
		const start = await authorizationUrl('openid profile');
		const callback = await signIn(new Browser(), start, 'bob', 'deny');
		expect(callback.searchParams.get('error')).toBe('access_denied');
	});

	test('a wrong password shows an error and keeps the form', async () => {
		const browser = new Browser();
		const start = await authorizationUrl('openid');
		const login = await browser.follow(start.url.href);
		const again = await postForm(browser, formAction(login.page!), {
			username: 'alice',
			password: 'wrong'
		});
		expect(again.status).toBe(401);
		expect(again.page).toContain('role="alert"');
		expect(again.page).toContain('Invalid username or password.');
	});

	test('redirect URIs: exact, except any port on loopback', async () => {
		for (const ok of ['http://127.0.0.1:4310/auth/callback', 'http://localhost:9/auth/callback']) {
			const start = await authorizationUrl('openid', ok);
			const browser = new Browser();
			const login = await browser.follow(start.url.href);
			expect(login.page, ok).toContain('Sign in');
		}
		for (const bad of [
			'http://localhost:4310/other',
			'http://evil.example/auth/callback',
			'https://localhost/auth/callback'
		]) {
			const start = await authorizationUrl('openid', bad);
			const res = await new Browser().follow(start.url.href);
			expect(res.left, bad).toBeUndefined();
			expect(res.status, bad).toBe(400);
		}
	});

	test('PKCE is required and only S256 is accepted', async () => {
		const start = await authorizationUrl('openid');
		const noPkce = new URL(start.url);
		noPkce.searchParams.delete('code_challenge');
		noPkce.searchParams.delete('code_challenge_method');
		const res = await new Browser().follow(noPkce.href);
		expect(res.left?.searchParams.get('error')).toBe('invalid_request');

		const plain = new URL(start.url);
		plain.searchParams.set('code_challenge_method', 'plain');
		const res2 = await new Browser().follow(plain.href);
		expect(res2.left?.searchParams.get('error')).toBe('invalid_request');
	});

	test('a code cannot be exchanged with the wrong verifier', async () => {
		const start = await authorizationUrl('openid');
		const callback = await signIn(new Browser(), start);
		const wrong = { ...start, verifier: oauth.generateRandomCodeVerifier() };
		await expect(exchange(wrong, callback)).rejects.toMatchObject({ error: 'invalid_grant' });
	});
});
