import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import * as oauth from 'oauth4webapi';
import { AppError, type ErrorCode } from '../../src/lib/errors';
import {
	TRANSACTION_ID,
	beginSignIn,
	completeSignIn,
	discover,
	processTokens,
	requestTokens,
	validateCallback,
	validatePersonalToken,
	type OAuthTransaction
} from '../../src/lib/auth/flow';
import {
	hubAuthHeaders,
	loadSession,
	readAccessToken,
	refreshStoredSession,
	saveSession
} from '../../src/lib/auth/session';
import { refreshSession } from '../../src/lib/auth/flow';
import { vaultClear, vaultRead, vaultWrite } from '../../src/lib/auth/vault';
import { dumpBrowserStorage } from './auth-helpers';
import { authorizeInFrame, emulator, hubUrl, redirectUri, testConfig } from './auth-oauth';

const config = testConfig();
const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';

/** Signs in up to the callback: returns the callback URL and the transaction as stored. */
async function authorize(decision: 'Authorize' | 'Deny' = 'Authorize', returnTo = '/models/x') {
	const authorizeUrl = await beginSignIn(config, { redirectUri, returnTo });
	const transaction = (await vaultRead<OAuthTransaction>(TRANSACTION_ID))!;
	const callbackUrl = await authorizeInFrame(authorizeUrl, { decision });
	return { authorizeUrl, callbackUrl, transaction };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(AppError);
	return error as AppError;
}

/** Nothing a sign-in could leave behind is stored: no session, no token anywhere. */
async function expectNothingStored(): Promise<void> {
	expect(await loadSession()).toBeNull();
	expect(await readAccessToken()).toBeNull();
	const dump = await dumpBrowserStorage();
	expect(dump).not.toContain('hf_oauth_');
	expect(dump).not.toContain(ALICE_PAT);
}

const seen = new Map<ErrorCode, string>();
function expectOwnMessage(error: AppError, code: ErrorCode): void {
	expect(error.code).toBe(code);
	expect(error.message.length).toBeGreaterThan(20);
	expect(error.message).not.toMatch(/hf_\w{6,}|code=|state=/);
	for (const [otherCode, message] of seen)
		if (otherCode !== code) expect(error.message).not.toBe(message);
	seen.set(code, error.message);
}

beforeEach(async () => {
	await vaultClear();
});
// The emulator is shared with other test files running at the same time: no global resets here.
// (The 503 fault below is path-scoped and single use; the no-refresh-token case is an e2e test.)
afterEach(async () => {
	await vaultClear();
});

describe('OAuth sign-in against the emulator', () => {
	test('the authorize URL: PKCE S256, state, nonce, scopes, exact redirect URI, no token', async () => {
		const url = await beginSignIn(config, { redirectUri, returnTo: '/models/alice/x?y=1' });
		expect(url.origin).toBe(new URL(hubUrl).origin);
		expect(url.searchParams.get('code_challenge_method')).toBe('S256');
		expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
		expect(url.searchParams.get('state')).toBeTruthy();
		expect(url.searchParams.get('nonce')).toBeTruthy();
		expect(url.searchParams.get('scope')).toBe('openid profile gated-repos');
		expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
		expect(url.searchParams.get('client_id')).toBe('citrate-e2e');
		const stored = await vaultRead<OAuthTransaction>(TRANSACTION_ID);
		expect(stored?.state).toBe(url.searchParams.get('state'));
		expect(stored?.returnTo).toBe('/models/alice/x?y=1');
		expect(url.href).not.toContain(stored!.verifier);
		// The verifier is encrypted at rest.
		expect(await dumpBrowserStorage()).not.toContain(stored!.verifier);
	});

	test('signs in through the real login and consent pages; returns where the user was', async () => {
		const { callbackUrl } = await authorize('Authorize', '/models/citrate-test/gated-llama-GGUF');
		expect(callbackUrl.searchParams.get('code')).toBeTruthy();
		const { session, returnTo } = await completeSignIn(config, callbackUrl);
		expect(returnTo).toBe('/models/citrate-test/gated-llama-GGUF');
		expect(session.user).toMatchObject({ username: 'alice', name: 'Alice Liddell' });
		expect(session.user.avatarUrl).toMatch(/\/avatars\/alice\.svg$/);
		expect(session.accessToken).toMatch(/^hf_oauth_/);
		expect(session.refreshToken).toBeTruthy();
		expect(session.expiresAt).toBeGreaterThan(Date.now() + 7 * 3600_000);
		// The transaction was single use.
		expect(await vaultRead(TRANSACTION_ID)).toBeNull();
		await saveSession(session);
		const token = await readAccessToken();
		expect(token).toBe(session.accessToken);
		const dump = await dumpBrowserStorage();
		expect(dump).not.toContain(session.accessToken);
		expect(dump).not.toContain(session.refreshToken);
		// The token works on the Hub, and hubAuthHeaders only gives it to the Hub origin.
		const who = await fetch(new URL('/api/whoami-v2', hubUrl), {
			headers: hubAuthHeaders(new URL('/api/whoami-v2', hubUrl), hubUrl, token)
		});
		expect(((await who.json()) as { name: string }).name).toBe('alice');
		expect(hubAuthHeaders('https://cdn.example.com/file', hubUrl, token)).toEqual({});
		expect(hubAuthHeaders(new URL('/x', hubUrl), hubUrl, null)).toEqual({});
	});

	test('error=access_denied (Deny on the consent page) → AUTH_ACCESS_DENIED, nothing stored', async () => {
		const { callbackUrl } = await authorize('Deny');
		expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
		const error = await failure(completeSignIn(config, callbackUrl));
		expectOwnMessage(error, 'AUTH_ACCESS_DENIED');
		expect(error.details?.returnTo).toBe('/models/x');
		await expectNothingStored();
	});

	test('state mismatch (CSRF) → AUTH_STATE_MISMATCH; the transaction is spent', async () => {
		const { callbackUrl } = await authorize();
		const forged = new URL(callbackUrl);
		forged.searchParams.set('state', 'attacker-state');
		expectOwnMessage(await failure(completeSignIn(config, forged)), 'AUTH_STATE_MISMATCH');
		// Even the genuine response is refused now: the transaction was single use.
		expect((await failure(completeSignIn(config, callbackUrl))).code).toBe('AUTH_STATE_MISMATCH');
		await expectNothingStored();
	});

	test('missing code → AUTH_CODE_MISSING', async () => {
		const { callbackUrl } = await authorize();
		callbackUrl.searchParams.delete('code');
		expectOwnMessage(await failure(completeSignIn(config, callbackUrl)), 'AUTH_CODE_MISSING');
		await expectNothingStored();
	});

	test('a code already used → AUTH_CODE_INVALID', async () => {
		const { callbackUrl, transaction } = await authorize();
		await completeSignIn(config, callbackUrl);
		await vaultWrite(TRANSACTION_ID, transaction); // replay the same sign-in
		expectOwnMessage(await failure(completeSignIn(config, callbackUrl)), 'AUTH_CODE_INVALID');
		await expectNothingStored();
	});

	test('an expired transaction (over 10 minutes) → AUTH_STATE_EXPIRED', async () => {
		const { callbackUrl } = await authorize();
		const later = () => Date.now() + 10 * 60_000 + 1000;
		expectOwnMessage(
			await failure(completeSignIn(config, callbackUrl, { now: later })),
			'AUTH_STATE_EXPIRED'
		);
		await expectNothingStored();
	});

	test('a response from the wrong issuer → AUTH_ISSUER_MISMATCH', async () => {
		// (a) the callback names another issuer (RFC 9207 `iss`)
		const { callbackUrl } = await authorize();
		callbackUrl.searchParams.set('iss', 'https://evil.example');
		expectOwnMessage(await failure(completeSignIn(config, callbackUrl)), 'AUTH_ISSUER_MISMATCH');
		// (b) the discovery document at the configured issuer claims another issuer
		const other = new URL(hubUrl);
		other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
		const error = await failure(discover(other.href.replace(/\/$/, '')));
		expect(error.code).toBe('AUTH_ISSUER_MISMATCH');
		await expectNothingStored();
	});

	test('an ID token with the wrong nonce → AUTH_ID_TOKEN_INVALID', async () => {
		const { callbackUrl, transaction } = await authorize();
		// The transaction this tab started had another nonce than the token carries.
		await vaultWrite(TRANSACTION_ID, { ...transaction, nonce: oauth.generateRandomNonce() });
		expectOwnMessage(await failure(completeSignIn(config, callbackUrl)), 'AUTH_ID_TOKEN_INVALID');
		await expectNothingStored();
	});

	test('an ID token for another audience → AUTH_ID_TOKEN_INVALID', async () => {
		const { callbackUrl, transaction } = await authorize();
		const as = await discover(config.oauthIssuer);
		const client = { client_id: config.clientId, token_endpoint_auth_method: 'none' };
		const params = validateCallback(as, client, callbackUrl, transaction);
		const response = await requestTokens(config, as, params, transaction);
		// A token response issued to citrate-e2e, received by a client that is citrate-dev.
		const error = await failure(
			processTokens({ ...config, clientId: 'citrate-dev' }, as, response, transaction)
		);
		expect(error.code).toBe('AUTH_ID_TOKEN_INVALID');
		expect(String((error.cause as Error).message)).toMatch(/aud/);
		await expectNothingStored();
	});

	test('network failure during the code exchange → AUTH_NETWORK', async () => {
		const { callbackUrl } = await authorize();
		// Route the token request to a closed port: a real connection failure.
		const deadFetch: typeof fetch = (_input, init) => fetch('http://127.0.0.1:9/oauth/token', init);
		expectOwnMessage(
			await failure(completeSignIn(config, callbackUrl, { fetch: deadFetch })),
			'AUTH_NETWORK'
		);
		await expectNothingStored();
	});

	test('the provider failing (503 on the token endpoint) → AUTH_PROVIDER_ERROR', async () => {
		const { callbackUrl } = await authorize();
		await emulator('/__emulator/faults', { path: '/oauth/token', status: 503, times: 1 });
		expectOwnMessage(await failure(completeSignIn(config, callbackUrl)), 'AUTH_PROVIDER_ERROR');
		await expectNothingStored();
	});

	test('refresh rotates the refresh token; the old one is refused and signs out cleanly', async () => {
		const { callbackUrl } = await authorize();
		const { session } = await completeSignIn(config, callbackUrl);
		await saveSession(session);
		const refreshed = (await refreshStoredSession(config, { force: true }))!;
		expect(refreshed.accessToken).toMatch(/^hf_oauth_/);
		expect(refreshed.accessToken).not.toBe(session.accessToken);
		expect(refreshed.refreshToken).toBeTruthy();
		expect(refreshed.refreshToken).not.toBe(session.refreshToken);
		expect((await loadSession())?.refreshToken).toBe(refreshed.refreshToken);
		// Not due yet: no refresh without force.
		expect((await refreshStoredSession(config))?.accessToken).toBe(refreshed.accessToken);
		// Reusing the spent refresh token is refused by the provider.
		const reused = await failure(refreshSession(config, session));
		expectOwnMessage(reused, 'AUTH_REFRESH_FAILED');
		// A stored session whose refresh token was revoked signs out with that message.
		await saveSession(refreshed);
		const revoked = await failure(refreshStoredSession(config, { force: true }));
		expect(revoked.code).toBe('AUTH_REFRESH_FAILED');
		await expectNothingStored();
	});
});

describe('personal access tokens', () => {
	test('malformed → AUTH_TOKEN_MALFORMED (no request made)', async () => {
		for (const bad of [
			'',
			'hello',
			'hf_short',
			'hf_has spaces in it 0123456789abcdef',
			ALICE_PAT.slice(3)
		])
			expectOwnMessage(await failure(validatePersonalToken(config, bad)), 'AUTH_TOKEN_MALFORMED');
		await expectNothingStored();
	});

	test('rejected by whoami-v2 → AUTH_TOKEN_REJECTED', async () => {
		const error = await failure(
			validatePersonalToken(config, 'hf_NotARealToken0123456789abcdefghijkl')
		);
		expectOwnMessage(error, 'AUTH_TOKEN_REJECTED');
		await expectNothingStored();
	});

	test('a good token: validated, stored encrypted, readable', async () => {
		const session = await validatePersonalToken(config, `  ${ALICE_PAT}\n`);
		expect(session).toMatchObject({ kind: 'pat', accessToken: ALICE_PAT, expiresAt: null });
		expect(session.user.username).toBe('alice');
		await saveSession(session);
		expect(await readAccessToken()).toBe(ALICE_PAT);
		expect(await dumpBrowserStorage()).not.toContain(ALICE_PAT);
	});
});
