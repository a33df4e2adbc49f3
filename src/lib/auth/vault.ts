import { AppError } from '../errors';
import { openCitrateDB, type VaultRecord } from '../storage/db';

/**
 * The encrypted vault: small secrets (the session's tokens, the in-flight PKCE transaction) in
 * IndexedDB's `vault` store, each record AES-GCM-256 encrypted under one non-extractable key that
 * the browser generated and that IndexedDB keeps as a `CryptoKey` (never its bytes). A fresh
 * random 96-bit IV per write; the record id is bound in as additional data so records cannot be
 * swapped. No DOM: works in pages, workers and the service worker.
 */

const KEY_ID = 'key';
const IV_BYTES = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const VAULT_CORRUPT_MESSAGE =
	'Your saved sign-in could not be read (it was changed or damaged), so you have been signed out. Please sign in again.';

function isUsableKey(key: unknown): key is CryptoKey {
	return (
		typeof CryptoKey !== 'undefined' &&
		key instanceof CryptoKey &&
		key.algorithm.name === 'AES-GCM' &&
		!key.extractable &&
		key.usages.includes('encrypt') &&
		key.usages.includes('decrypt')
	);
}

async function generateKey(): Promise<CryptoKey> {
	return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * The vault key, created on first use. Two realms racing to create it both end up with whichever
 * was stored first (the check and the write share one IndexedDB transaction).
 */
export async function getVaultKey(): Promise<CryptoKey> {
	const db = await openCitrateDB();
	const existing = (await db.get('vault', KEY_ID))?.key;
	if (isUsableKey(existing)) return existing;
	const fresh = await generateKey();
	const tx = db.transaction('vault', 'readwrite');
	const current = (await tx.store.get(KEY_ID))?.key;
	if (isUsableKey(current)) {
		await tx.done;
		return current;
	}
	// A missing or unusable key makes every other record unreadable: drop them with it.
	await tx.store.clear();
	await tx.store.put({ id: KEY_ID, key: fresh, updatedAt: Date.now() });
	await tx.done;
	return fresh;
}

function assertRecordId(id: string): void {
	if (id === KEY_ID || id.length === 0) throw new TypeError(`invalid vault record id: ${id}`);
}

/** Encrypts `value` (JSON) and stores it under `id`, replacing what was there. */
export async function vaultWrite(id: string, value: unknown): Promise<void> {
	assertRecordId(id);
	const key = await getVaultKey();
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const ciphertext = await crypto.subtle.encrypt(
		{ name: 'AES-GCM', iv, additionalData: encoder.encode(id) },
		key,
		encoder.encode(JSON.stringify(value))
	);
	const db = await openCitrateDB();
	await db.put('vault', { id, iv, ciphertext, updatedAt: Date.now() });
}

async function decryptRecord(record: VaultRecord, key: CryptoKey): Promise<unknown> {
	const { iv, ciphertext } = record;
	if (!(iv instanceof Uint8Array) || iv.byteLength !== IV_BYTES)
		throw new TypeError('vault record has no valid IV');
	if (!(ciphertext instanceof ArrayBuffer)) throw new TypeError('vault record has no ciphertext');
	const plain = await crypto.subtle.decrypt(
		{
			name: 'AES-GCM',
			iv: iv as Uint8Array<ArrayBuffer>,
			additionalData: encoder.encode(record.id)
		},
		key,
		ciphertext
	);
	return JSON.parse(decoder.decode(plain));
}

/**
 * Reads and decrypts `id`; `null` when there is none. A record that does not decrypt (tampered,
 * truncated, under another key) clears the whole vault and throws `AUTH_VAULT_CORRUPT`.
 */
export async function vaultRead<T>(id: string): Promise<T | null> {
	assertRecordId(id);
	const db = await openCitrateDB();
	const record = await db.get('vault', id);
	if (!record) return null;
	const key = (await db.get('vault', KEY_ID))?.key;
	try {
		if (!isUsableKey(key)) throw new TypeError('vault key missing');
		return (await decryptRecord(record, key)) as T;
	} catch (cause) {
		await vaultClear();
		throw new AppError('AUTH_VAULT_CORRUPT', VAULT_CORRUPT_MESSAGE, { cause });
	}
}

/** Reads `id` and deletes it: for single-use records. */
export async function vaultTake<T>(id: string): Promise<T | null> {
	try {
		return await vaultRead<T>(id);
	} finally {
		await vaultDelete(id);
	}
}

export async function vaultDelete(id: string): Promise<void> {
	assertRecordId(id);
	const db = await openCitrateDB();
	await db.delete('vault', id);
}

/** Deletes every record (the key stays, so other realms keep a valid key). */
export async function vaultClear(): Promise<void> {
	const db = await openCitrateDB();
	const tx = db.transaction('vault', 'readwrite');
	for (const id of await tx.store.getAllKeys()) if (id !== KEY_ID) await tx.store.delete(id);
	await tx.done;
}
