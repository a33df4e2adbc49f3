import type { SerializedAppError } from '../errors';

/** A file of a local model. */
export interface LocalModelFile {
	path: string;
	size: number;
	/** SHA-256 (hex) of the stored bytes, verified against the Hub's `lfs.oid` when known. */
	sha256: string;
	/**
	 * The SHA-256 the Hub published for this file (`lfs.oid`), which `sha256` was checked against;
	 * null when the Hub published none (nothing to check). Absent in records made before it was kept.
	 */
	hubSha256?: string | null;
	/** UnixFS CID once pinned. */
	cid?: string;
}

/** A usable model on this device (IndexedDB `models` store). */
export interface LocalModel {
	/** `<repoId>@<revision>:<variant key>` for Hub downloads. */
	id: string;
	repoId: string;
	revision: string;
	/** Variant label, e.g. `Q4_K_M`. */
	variant: string;
	/** In shard order. */
	files: LocalModelFile[];
	totalBytes: number;
	source: 'hub' | 'ipfs' | 'disk';
	addedAt: number;
	cid?: string;
}

// ---- download jobs (IndexedDB `downloads`; the engine in `$lib/downloads` owns them) ----

/** `background`: the browser's Background Fetch carries the rest (the engine does not run it). */
export type JobState =
	| 'queued'
	| 'downloading'
	| 'background'
	| 'paused'
	| 'verifying'
	| 'done'
	| 'failed'
	| 'cancelled';

export type ShardState = 'pending' | 'downloading' | 'verifying' | 'done' | 'failed';

/** Resumable progress of one file, saved in IndexedDB at every committed segment. */
export interface ShardRecord {
	path: string;
	size: number;
	sha256: string | null;
	state: ShardState;
	/** Bytes written to committed segments (and hashed into `hashState`). */
	committed: number;
	/** Committed segment files (`committed / segmentBytes`, rounded up at the end). */
	segments: number;
	segmentBytes: number;
	/** hash-wasm SHA-256 state after `committed` bytes. */
	hashState: Uint8Array | null;
	/** Strong validator of the bytes being fetched, once seen. */
	etag: string | null;
	/** SHA-256 of the bytes received, once complete. */
	actualSha256: string | null;
}

/** A download job, stored in the IndexedDB `downloads` store. */
export type DownloadJobRecord = {
	/** Same as the id of the local model it produces. */
	id: string;
	repoId: string;
	revision: string;
	variantKey: string;
	variantLabel: string;
	state: JobState;
	shards: ShardRecord[];
	totalBytes: number;
	error: SerializedAppError | null;
	/** Set while a Background Fetch carries the job: its id, and the request of each file. */
	background?: BackgroundTransfer | null;
	createdAt: number;
	updatedAt: number;
};

/** What a job handed to Background Fetch asked for: per file, the CDN URL and first byte. */
export interface BackgroundTransfer {
	fetchId: string;
	files: { path: string; url: string; start: number }[];
	startedAt: number;
}
