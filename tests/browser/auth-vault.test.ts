import { afterEach, describe, expect, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { openCitrateDB } from '../../src/lib/storage/db';
import {
	getVaultKey,
	vaultClear,
	vaultRead,
	vaultTake,
	vaultWrite,
	VAULT_CORRUPT_MESSAGE
} from '../../src/lib/auth/vault';
import {
	clearSession,
	loadSession,
	readAccessToken,
	saveSession
} from '../../src/lib/auth/session';
import type { StoredSession } from '../../src/lib/auth/types';
import { dumpBrowserStorage } from './auth-helpers';

const TOKEN = 'hf_oauth_VaultTestSecretToken0123456789abcdef';

function session(overrides: Partial<StoredSession> = {}): StoredSession {
	return {
		kind: 'oauth',
		accessToken: TOKEN,
		refreshToken: 'refresh-secret-XYZ0123456789',
		expiresAt: Date.now() + 3_600_000,
		scopes: ['openid', 'profile'],
		user: { id: '1', username: 'alice', name: 'Alice', avatarUrl: null },
		issuer: 'http://127.0.0.1:1',
		createdAt: Date.now(),
		...overrides
	};
}

afterEach(async () => {
	await vaultClear();
});

describe('vault', () => {
	test('the key is a non-extractable AES-GCM-256 CryptoKey; exportKey throws', async () => {
		const key = await getVaultKey();
		expect(key).toBeInstanceOf(CryptoKey);
		expect(key.extractable).toBe(false);
		expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
		await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
		await expect(crypto.subtle.exportKey('jwk', key)).rejects.toThrow();
		// The same key comes back from IndexedDB, still not extractable.
		const db = await openCitrateDB();
		const stored = (await db.get('vault', 'key'))?.key;
		expect(stored).toBeInstanceOf(CryptoKey);
		await expect(crypto.subtle.exportKey('raw', stored!)).rejects.toThrow();
	});

	test('round-trips values; each write has a fresh 96-bit IV', async () => {
		await vaultWrite('a', { hello: 'world' });
		const db = await openCitrateDB();
		const first = await db.get('vault', 'a');
		await vaultWrite('a', { hello: 'world' });
		const second = await db.get('vault', 'a');
		expect(first?.iv?.byteLength).toBe(12);
		expect(Array.from(first!.iv!)).not.toEqual(Array.from(second!.iv!));
		expect(await vaultRead('a')).toEqual({ hello: 'world' });
	});

	test('stored records are ciphertext: no token substring in IndexedDB, localStorage or sessionStorage', async () => {
		await saveSession(session());
		expect((await loadSession())?.accessToken).toBe(TOKEN);
		const dump = await dumpBrowserStorage();
		expect(dump).toContain('"session"'); // the record is there…
		expect(dump).not.toContain(TOKEN); // …but not the token
		expect(dump).not.toContain(TOKEN.slice(9, 30));
		expect(dump).not.toContain('refresh-secret');
		expect(dump).not.toContain('alice');
	});

	test('tampering one byte signs out with a message and clears the vault', async () => {
		await saveSession(session());
		const db = await openCitrateDB();
		const record = (await db.get('vault', 'session'))!;
		const bytes = new Uint8Array(record.ciphertext!.slice(0));
		bytes[5] = bytes[5]! ^ 0x01;
		await db.put('vault', { ...record, ciphertext: bytes.buffer });
		const error = await loadSession().catch((e: unknown) => e);
		expect(AppError.is(error, 'AUTH_VAULT_CORRUPT')).toBe(true);
		expect((error as AppError).message).toBe(VAULT_CORRUPT_MESSAGE);
		expect((error as AppError).message).not.toContain(TOKEN);
		expect(await db.get('vault', 'session')).toBeUndefined();
		expect(await loadSession()).toBeNull();
		expect(await readAccessToken()).toBeNull();
	});

	test('a record moved to another id does not decrypt (the id is bound in)', async () => {
		await vaultWrite('a', 'secret-a');
		const db = await openCitrateDB();
		const record = (await db.get('vault', 'a'))!;
		await db.put('vault', { ...record, id: 'session' });
		await expect(vaultRead('session')).rejects.toMatchObject({ code: 'AUTH_VAULT_CORRUPT' });
	});

	test('a lost key makes the records unreadable: corrupt, cleared', async () => {
		await saveSession(session());
		const db = await openCitrateDB();
		await db.delete('vault', 'key');
		await expect(loadSession()).rejects.toMatchObject({ code: 'AUTH_VAULT_CORRUPT' });
		expect(await db.getAllKeys('vault')).toEqual([]);
	});

	test('take is single use', async () => {
		await vaultWrite('once', { n: 1 });
		expect(await vaultTake('once')).toEqual({ n: 1 });
		expect(await vaultTake('once')).toBeNull();
	});

	test('readAccessToken: null when signed out or expired; clearSession removes everything', async () => {
		expect(await readAccessToken()).toBeNull();
		await saveSession(session({ expiresAt: Date.now() - 1 }));
		expect(await readAccessToken()).toBeNull();
		await saveSession(session());
		expect(await readAccessToken()).toBe(TOKEN);
		await clearSession();
		expect(await readAccessToken()).toBeNull();
		const db = await openCitrateDB();
		expect(await db.getAllKeys('vault')).toEqual(['key']);
	});

	test('works in a dedicated worker (no DOM) with the same key', async () => {
		await saveSession(session());
		const worker = new Worker(new URL('./auth-vault.worker.ts', import.meta.url), {
			type: 'module'
		});
		const token = await new Promise<unknown>((resolve, reject) => {
			worker.onmessage = (event: MessageEvent) => resolve(event.data);
			worker.onerror = (event) => reject(new Error(event.message));
		});
		worker.terminate();
		expect(token).toEqual({ ok: true, matches: true });
	});
});
