/** Hub responses kept in IndexedDB (`hubCache`) to show offline. */
import { openCitrateDB } from '../storage/db';

export interface HubCacheEntry<T> {
	value: T;
	storedAt: number;
}

export interface HubCachePutOptions {
	/** The response was fetched with the user's token (gated/private data): dropped on sign-out. */
	withToken: boolean;
}

export interface HubCache {
	get<T>(key: string): Promise<HubCacheEntry<T> | null>;
	put(key: string, value: unknown, options: HubCachePutOptions): Promise<void>;
	/**
	 * Deletes every entry fetched with a token (and any older entry that does not say): what a
	 * signed-out browser must not keep. Returns how many went.
	 */
	dropTokenEntries(): Promise<number>;
}

/** The IndexedDB-backed cache; failures (private mode, quota) never break a Hub call. */
export const idbHubCache: HubCache = {
	async get<T>(key: string) {
		try {
			const db = await openCitrateDB();
			const record = await db.get('hubCache', key);
			return record ? { value: record.value as T, storedAt: record.storedAt } : null;
		} catch {
			return null;
		}
	},
	async put(key, value, { withToken }) {
		try {
			const db = await openCitrateDB();
			await db.put('hubCache', { key, value, storedAt: Date.now(), withToken });
		} catch {
			// a cache that cannot be written is just a cache miss later
		}
	},
	async dropTokenEntries() {
		const db = await openCitrateDB();
		const tx = db.transaction('hubCache', 'readwrite');
		let dropped = 0;
		for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
			if (cursor.value.withToken === false) continue;
			await cursor.delete();
			dropped++;
		}
		await tx.done;
		return dropped;
	}
};

/** An in-memory cache (tests, or where IndexedDB is unavailable). */
export function memoryHubCache(): HubCache {
	const map = new Map<string, HubCacheEntry<unknown> & HubCachePutOptions>();
	return {
		get<T>(key: string) {
			return Promise.resolve((map.get(key) as HubCacheEntry<T> | undefined) ?? null);
		},
		put(key, value, { withToken }) {
			map.set(key, { value: structuredClone(value), storedAt: Date.now(), withToken });
			return Promise.resolve();
		},
		dropTokenEntries() {
			let dropped = 0;
			for (const [key, entry] of map)
				if (entry.withToken) {
					map.delete(key);
					dropped++;
				}
			return Promise.resolve(dropped);
		}
	};
}
