/** Test helpers for the auth browser tests (not a test file itself). */

function bytesToLatin1(bytes: Uint8Array): string {
	let out = '';
	for (const byte of bytes) out += String.fromCharCode(byte);
	return out;
}

function serialize(value: unknown): unknown {
	if (value instanceof ArrayBuffer) return `bytes:${bytesToLatin1(new Uint8Array(value))}`;
	if (ArrayBuffer.isView(value))
		return `bytes:${bytesToLatin1(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))}`;
	if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) return '[CryptoKey]';
	if (value instanceof Blob) return `[Blob ${value.size}]`;
	if (Array.isArray(value)) return value.map(serialize);
	if (value && typeof value === 'object')
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, serialize(v)]));
	return value;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error);
	});
}

/**
 * Everything this origin keeps in IndexedDB (every database, every store, binary values as raw
 * characters so a plaintext token would show), localStorage and sessionStorage, as one string.
 */
export async function dumpBrowserStorage(): Promise<string> {
	const parts: unknown[] = [];
	for (const info of await indexedDB.databases()) {
		if (!info.name) continue;
		const db = await request(indexedDB.open(info.name));
		for (const storeName of Array.from(db.objectStoreNames)) {
			const tx = db.transaction(storeName, 'readonly');
			const store = tx.objectStore(storeName);
			const [keys, values] = await Promise.all([
				request(store.getAllKeys()),
				request(store.getAll())
			]);
			parts.push({ db: info.name, store: storeName, keys, values: serialize(values) });
		}
		db.close();
	}
	parts.push({ localStorage: { ...localStorage }, sessionStorage: { ...sessionStorage } });
	return JSON.stringify(parts);
}
