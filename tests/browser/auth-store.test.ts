import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AuthStore, type AuthEnvironment } from '../../src/lib/stores/auth.svelte';
import { loadSession, readAccessToken, saveSession } from '../../src/lib/auth/session';
import { vaultClear } from '../../src/lib/auth/vault';
import { openCitrateDB } from '../../src/lib/storage/db';
import type { StoredSession } from '../../src/lib/auth/types';
import { dumpBrowserStorage } from './auth-helpers';
import { authorizeInFrame, testConfig } from './auth-oauth';

const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';

function environment() {
	const navigations: string[] = [];
	const env: AuthEnvironment = {
		navigate: (url) => navigations.push(url),
		origin: () => location.origin,
		currentPath: () => '/models/citrate-test/gated-llama-GGUF?tab=files'
	};
	return { env, navigations };
}

function session(overrides: Partial<StoredSession> = {}): StoredSession {
	return {
		kind: 'oauth',
		accessToken: 'hf_oauth_StoreTestToken0123456789abcdefghijklmn',
		refreshToken: null,
		expiresAt: Date.now() + 3_600_000,
		scopes: ['openid'],
		user: { id: '1', username: 'alice', name: 'Alice Liddell', avatarUrl: null },
		issuer: 'x',
		createdAt: Date.now(),
		...overrides
	};
}

const stores: AuthStore[] = [];
function makeStore(env = environment().env): AuthStore {
	const store = new AuthStore(testConfig(), env);
	stores.push(store);
	return store;
}

beforeEach(async () => {
	await vaultClear();
});
afterEach(async () => {
	for (const store of stores.splice(0)) store.destroy();
	await vaultClear();
});

describe('AuthStore', () => {
	test('starts signed out without a stored session', async () => {
		const store = makeStore();
		expect(store.status).toBe('loading');
		await store.init();
		expect(store.status).toBe('signed-out');
		expect(store.user).toBeNull();
		expect(store.error).toBeNull();
		expect(store.oauthConfigured).toBe(true);
	});

	test('a tampered vault signs out with a message', async () => {
		await saveSession(session());
		const db = await openCitrateDB();
		const record = (await db.get('vault', 'session'))!;
		const iv = new Uint8Array(record.iv!);
		iv[0] = iv[0]! ^ 0xff;
		await db.put('vault', { ...record, iv });
		const store = makeStore();
		await store.init();
		expect(store.status).toBe('signed-out');
		expect(store.error?.code).toBe('AUTH_VAULT_CORRUPT');
		expect(store.error?.message).toMatch(/signed out/);
		expect(await loadSession()).toBeNull();
	});

	test('an expired session without refresh token signs out with a message; one expiring soon warns', async () => {
		await saveSession(session({ expiresAt: Date.now() - 1000 }));
		const expired = makeStore();
		await expired.init();
		expect(expired.status).toBe('signed-out');
		expect(expired.error?.code).toBe('AUTH_SESSION_EXPIRED');
		expect(await readAccessToken()).toBeNull();

		await saveSession(session({ expiresAt: Date.now() + 5 * 60_000 }));
		const soon = makeStore();
		await soon.init();
		expect(soon.status).toBe('signed-in');
		await expect.poll(() => soon.expiringSoon).toBe(true);

		await saveSession(session({ expiresAt: Date.now() + 60 * 60_000 }));
		const later = makeStore();
		await later.init();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(later.expiringSoon).toBe(false);
	});

	test('personal access token: bad ones give a message and store nothing; a good one signs in; sign out clears', async () => {
		const store = makeStore();
		await store.init();
		expect(await store.signInWithToken('not-a-token')).toBe(false);
		expect(store.error?.code).toBe('AUTH_TOKEN_MALFORMED');
		expect(await store.signInWithToken('hf_WrongToken0123456789abcdefghijklmnop')).toBe(false);
		expect(store.error?.code).toBe('AUTH_TOKEN_REJECTED');
		expect(await loadSession()).toBeNull();

		expect(await store.signInWithToken(ALICE_PAT)).toBe(true);
		expect(store.status).toBe('signed-in');
		expect(store.user?.username).toBe('alice');
		expect(store.session?.kind).toBe('pat');
		expect(JSON.stringify(store.session)).not.toContain(ALICE_PAT); // no token in UI state

		await store.signOut();
		expect(store.status).toBe('signed-out');
		expect(store.user).toBeNull();
		expect(await readAccessToken()).toBeNull();
		expect(await dumpBrowserStorage()).not.toContain('"session"');
	});

	test('OAuth: redirects to the provider, completes on the callback, returns to where the user was; another tab follows', async () => {
		const { env, navigations } = environment();
		const store = makeStore(env);
		await store.init();
		const otherTab = makeStore();
		await otherTab.init();
		await store.signIn();
		expect(navigations).toHaveLength(1);
		const callbackUrl = await authorizeInFrame(new URL(navigations[0]!));
		const returnTo = await store.completeCallback(callbackUrl);
		expect(returnTo).toBe('/models/citrate-test/gated-llama-GGUF?tab=files');
		expect(store.status).toBe('signed-in');
		expect(store.user).toMatchObject({ username: 'alice', name: 'Alice Liddell' });
		expect(store.session?.canRefresh).toBe(true);
		// The other tab hears about it over the BroadcastChannel.
		await expect.poll(() => otherTab.user?.username).toBe('alice');
		// Replaying the callback fails cleanly and keeps the good session.
		expect(await store.completeCallback(callbackUrl)).toBeNull();
		expect(store.error?.code).toBe('AUTH_STATE_MISMATCH');
		expect(store.status).toBe('signed-in');
		await store.signOut();
		await expect.poll(() => otherTab.status).toBe('signed-out');
	});

	test('an expired OAuth session is refreshed on start; a revoked refresh token signs out with a message', async () => {
		const { env, navigations } = environment();
		const store = makeStore(env);
		await store.init();
		await store.signIn('/library');
		await store.completeCallback(await authorizeInFrame(new URL(navigations[0]!)));
		const stored = (await loadSession())!;
		await saveSession({ ...stored, expiresAt: Date.now() - 1000 });

		const next = makeStore();
		await next.init();
		expect(next.status).toBe('signed-in');
		const refreshed = (await loadSession())!;
		expect(refreshed.accessToken).not.toBe(stored.accessToken);
		expect(refreshed.refreshToken).not.toBe(stored.refreshToken);
		expect(refreshed.expiresAt).toBeGreaterThan(Date.now());

		// Put back the spent refresh token: the provider refuses it (invalid_grant).
		await saveSession({ ...refreshed, refreshToken: stored.refreshToken });
		const revoked = makeStore();
		await revoked.init();
		await revoked.refresh();
		expect(revoked.status).toBe('signed-out');
		expect(revoked.error?.code).toBe('AUTH_REFRESH_FAILED');
		expect(revoked.error?.message).toMatch(/sign in again/);
		expect(await loadSession()).toBeNull();
	});

	test('without a client id the OAuth path explains itself', async () => {
		const store = new AuthStore(testConfig({ clientId: '' }), environment().env);
		stores.push(store);
		await store.init();
		expect(store.oauthConfigured).toBe(false);
		await store.signIn();
		expect(store.error?.code).toBe('AUTH_NOT_CONFIGURED');
		expect(store.error?.message).toMatch(/personal access token/);
	});
});
