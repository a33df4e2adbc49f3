/** Hub responses kept in IndexedDB (`hubCache`) to show offline. */
import { openCitrateDB } from '../storage/db';

export interface HubCacheEntry<T> {
	value: T;
	storedAt: number;
}

export interface HubCache {
	get<T>(key: string): Promise<HubCacheEntry<T> | null>;
	put(key: string, value: unknown): Promise<void>;
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
	async put(key, value) {
		try {
			const db = await openCitrateDB();
			await db.put('hubCache', { key, value, storedAt: Date.now() });
		} catch {
			// a cache that cannot be written is just a cache miss later
		}
	}
};

/** An in-memory cache (tests, or where IndexedDB is unavailable). */
export function memoryHubCache(): HubCache {
	const map = new Map<string, HubCacheEntry<unknown>>();
	return {
		get<T>(key: string) {
			return Promise.resolve((map.get(key) as HubCacheEntry<T> | undefined) ?? null);
		},
		put(key, value) {
			map.set(key, { value: structuredClone(value), storedAt: Date.now() });
			return Promise.resolve();
		}
	};
}
