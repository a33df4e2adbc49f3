import type { SerializedAppError } from '../errors';

/** A file of a variant, as the Hub's tree describes it (same shape as `HubFile` of `$lib/hub`). */
export interface DownloadFileSpec {
	path: string;
	size: number;
	/** The tree's `lfs.oid` (SHA-256, hex). Null for non-LFS files: then nothing can be verified. */
	sha256: string | null;
}

/** The part of a `ModelVariant` the engine needs (a `ModelVariant` fits). */
export interface DownloadVariantSpec {
	key: string;
	label: string;
	files: DownloadFileSpec[];
}

/** What a page asks for: one variant, all its shards, at a pinned commit. */
export interface DownloadRequest {
	repoId: string;
	/** Commit SHA (never a branch name). */
	revision: string;
	variant: DownloadVariantSpec;
}

export type { DownloadJobRecord, JobState, ShardRecord, ShardState } from '../storage/types';
import type { JobState, ShardState } from '../storage/types';

/** Progress of one shard as shown to pages. */
export interface ShardSnapshot {
	path: string;
	size: number;
	received: number;
	/** Bytes saved for good (segments with their hash state): a resume starts here. */
	committed: number;
	state: ShardState;
}

/**
 * A download waiting before its next try: a lost connection (`network`), a Hub that answered
 * 429/503 (`busy`) or another server error (`server`); `retryAt` is a `Date.now()` time.
 */
export interface DownloadWait {
	reason: 'network' | 'busy' | 'server';
	retryAt: number;
}

/** A job as shown to pages (no hash state). */
export interface DownloadJobSnapshot {
	id: string;
	repoId: string;
	revision: string;
	variantKey: string;
	variantLabel: string;
	state: JobState;
	totalBytes: number;
	receivedBytes: number;
	shards: ShardSnapshot[];
	error: SerializedAppError | null;
	/** Non-fatal notice, e.g. a file changed upstream and was started over. */
	notice: SerializedAppError | null;
	/** Set while a file of the job waits to retry (the soonest one); null otherwise. */
	waiting: DownloadWait | null;
	updatedAt: number;
}

export interface DownloadSettings {
	/** Files downloaded at the same time, across jobs. */
	concurrency: number;
	/** Largest segment (progress and hash state are saved at each); small files use smaller ones. */
	segmentBytes: number;
	/** Attempts without progress before a network error is final. */
	maxAttempts: number;
	/** First retry delay; doubles each attempt, with jitter. */
	retryBaseMs: number;
	retryMaxMs: number;
	/** Minimum interval between progress broadcasts per job. */
	progressIntervalMs: number;
	/** A request that brings no byte for this long is dropped and retried (a silent network). */
	stallTimeoutMs: number;
}

export const DEFAULT_DOWNLOAD_SETTINGS: DownloadSettings = {
	concurrency: 3,
	segmentBytes: 8 * 1024 * 1024,
	maxAttempts: 8,
	retryBaseMs: 500,
	retryMaxMs: 30_000,
	progressIntervalMs: 250,
	stallTimeoutMs: 15_000
};

/** Settings key (IndexedDB `settings` store) of the user's download concurrency. */
export const CONCURRENCY_SETTING_KEY = 'downloads.concurrency';

// ---- messages between pages and the service worker -------------------------------------------

/** Page → service worker requests (each sent with a MessagePort for the reply). */
export type DownloadCommand =
	| { op: 'start'; request: DownloadRequest }
	| { op: 'pause'; id: string }
	| { op: 'resume'; id: string }
	| { op: 'cancel'; id: string }
	| { op: 'retry'; id: string }
	| { op: 'remove'; id: string }
	| { op: 'deleteModel'; id: string }
	| { op: 'setConcurrency'; value: number }
	| { op: 'list' }
	| { op: 'ping' }
	/** Hands a job to Background Fetch: the reply's `plan` is what the page asks the browser for. */
	| { op: 'toBackground'; id: string }
	/** The page started the background fetch of the plan. */
	| { op: 'backgroundStarted'; id: string }
	/** The page could not start the background fetch: the engine takes the job back. */
	| { op: 'backgroundFailed'; id: string; message: string }
	/** What a page would ask Background Fetch for if it were the last one to go (`standby`). */
	| { op: 'standby'; id: string }
	/**
	 * The last page went away and asked Background Fetch for the rest of a job on its own
	 * (`auto-handover.ts`): the engine stops and the worker follows that fetch.
	 */
	| { op: 'handedOver'; id: string; fetchId: string; files: BackgroundFile[] };

/** One request of a background fetch: a file's resolved CDN URL from its first missing byte. */
export interface BackgroundFile {
	path: string;
	url: string;
	start: number;
}

/**
 * What a page keeps ready to hand a running job to Background Fetch the moment it goes away
 * (nothing asynchronous can run then): the fetch id, its title and each unfinished file's CDN URL.
 * The first bytes come from the job's latest progress (`ShardSnapshot.committed`).
 */
export interface BackgroundStandby {
	fetchId: string;
	title: string;
	files: { path: string; url: string; size: number }[];
}

/** What Background Fetch must fetch for a job: each file's resolved CDN URL from its first byte. */
export interface BackgroundPlan {
	fetchId: string;
	title: string;
	downloadTotal: number;
	files: BackgroundFile[];
}

export const DOWNLOAD_MESSAGE_TAG = 'citrate.downloads';

export interface DownloadCommandMessage {
	tag: typeof DOWNLOAD_MESSAGE_TAG;
	command: DownloadCommand;
}

export type DownloadReply =
	| {
			ok: true;
			jobs: DownloadJobSnapshot[];
			plan?: BackgroundPlan | null;
			standby?: BackgroundStandby | null;
	  }
	| { ok: false; error: SerializedAppError };

/** Service worker → every page. */
export type DownloadEvent =
	| { type: 'progress'; job: DownloadJobSnapshot }
	| { type: 'state'; job: DownloadJobSnapshot }
	| { type: 'removed'; id: string }
	| { type: 'modelsChanged' };

export interface DownloadEventMessage {
	tag: typeof DOWNLOAD_MESSAGE_TAG;
	event: DownloadEvent;
}

export function isDownloadEventMessage(data: unknown): data is DownloadEventMessage {
	return (
		typeof data === 'object' &&
		data !== null &&
		(data as DownloadEventMessage).tag === DOWNLOAD_MESSAGE_TAG &&
		typeof (data as DownloadEventMessage).event === 'object'
	);
}

export function isDownloadCommandMessage(data: unknown): data is DownloadCommandMessage {
	return (
		typeof data === 'object' &&
		data !== null &&
		(data as DownloadCommandMessage).tag === DOWNLOAD_MESSAGE_TAG &&
		typeof (data as DownloadCommandMessage).command === 'object'
	);
}

/** The id of a job and of the local model it produces. */
export function modelIdFor(repoId: string, revision: string, variantKey: string): string {
	return `${repoId}@${revision}:${variantKey}`;
}
