import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DownloadJobRecord, LocalModel } from './types';

/**
 * The one IndexedDB database, "citrate". Each feature owns its stores; a schema change bumps
 * DB_VERSION and adds a step to `migrations` (never edit an old step: users have run it).
 * Values are plain structured-clone data so pages, workers and the service worker share them.
 */
export const DB_NAME = 'citrate';
export const DB_VERSION = 1;

export interface VaultRecord {
	/** 'key' holds the non-extractable CryptoKey; other ids hold { iv, ciphertext }. */
	id: string;
	key?: CryptoKey;
	iv?: Uint8Array;
	ciphertext?: ArrayBuffer;
	updatedAt: number;
}

export interface SettingRecord {
	key: string;
	value: unknown;
}

export interface CitrateDB extends DBSchema {
	vault: { key: string; value: VaultRecord };
	settings: { key: string; value: SettingRecord };
	/** Hub responses kept for offline display (search pages, model info, GGUF headers). */
	hubCache: {
		key: string;
		/** `withToken`: fetched with the user's token (dropped on sign-out); absent in old records. */
		value: { key: string; value: unknown; storedAt: number; withToken?: boolean };
	};
	/** Local models (downloaded variants or added by CID): owned by downloads. */
	models: { key: string; value: LocalModel };
	/** One record per file of a local model: owned by downloads. */
	files: {
		key: string;
		value: Record<string, unknown> & { id: string; modelId: string };
		indexes: { byModel: string };
	};
	/** Download jobs and their resumable progress: owned by the service worker engine. */
	downloads: { key: string; value: DownloadJobRecord };
	conversations: {
		key: string;
		value: Record<string, unknown> & { id: string; updatedAt: number };
		indexes: { byUpdated: number };
	};
	messages: {
		key: string;
		value: Record<string, unknown> & { id: string; conversationId: string; createdAt: number };
		indexes: { byConversation: [string, number] };
	};
	/** IPFS: DAG nodes and the leaf index of the OPFS-backed blockstore, and pins. */
	ipfsBlocks: { key: string; value: { cid: string; bytes?: Uint8Array; leaf?: unknown } };
	ipfsPins: { key: string; value: Record<string, unknown> & { cid: string } };
}

type Migration = (db: IDBPDatabase<CitrateDB>) => void;

const migrations: Migration[] = [
	// v1
	(db) => {
		db.createObjectStore('vault', { keyPath: 'id' });
		db.createObjectStore('settings', { keyPath: 'key' });
		db.createObjectStore('hubCache', { keyPath: 'key' });
		db.createObjectStore('models', { keyPath: 'id' });
		db.createObjectStore('files', { keyPath: 'id' }).createIndex('byModel', 'modelId');
		db.createObjectStore('downloads', { keyPath: 'id' });
		db.createObjectStore('conversations', { keyPath: 'id' }).createIndex('byUpdated', 'updatedAt');
		db.createObjectStore('messages', { keyPath: 'id' }).createIndex('byConversation', [
			'conversationId',
			'createdAt'
		]);
		db.createObjectStore('ipfsBlocks', { keyPath: 'cid' });
		db.createObjectStore('ipfsPins', { keyPath: 'cid' });
	}
];

let opening: Promise<IDBPDatabase<CitrateDB>> | undefined;

/** Opens (once per realm) and migrates the database. */
export function openCitrateDB(name = DB_NAME): Promise<IDBPDatabase<CitrateDB>> {
	if (name !== DB_NAME) return open(name);
	opening ??= open(name).catch((error: unknown) => {
		opening = undefined;
		throw error;
	});
	return opening;
}

function open(name: string): Promise<IDBPDatabase<CitrateDB>> {
	return openDB<CitrateDB>(name, DB_VERSION, {
		upgrade(db, oldVersion) {
			for (let version = oldVersion; version < DB_VERSION; version++) migrations[version]?.(db);
		},
		blocking() {
			// A newer tab wants to upgrade: let it, and reopen lazily next time.
			void opening?.then((db) => db.close());
			opening = undefined;
		}
	});
}
