import type { AdoptedResponse } from './background-handover';
import type { IHasher } from 'hash-wasm';
import type { AppError } from '../errors';
import type { DownloadJobRecord, DownloadSettings, DownloadWait, ShardRecord } from './types';

/**
 * What the download of one file needs from the engine: the job and file records it updates in
 * place, and the engine's side of saving, reporting and resetting them.
 */
export interface ShardTask {
	readonly job: DownloadJobRecord;
	readonly shard: ShardRecord;
	readonly signal: AbortSignal;
	readonly hubUrl: string;
	readonly settings: Readonly<DownloadSettings>;
	readonly fetch: typeof fetch;
	now(): number;
	random(): number;
	authHeaders(url: string): Promise<Record<string, string>>;
	root(): Promise<FileSystemDirectoryHandle>;
	createHasher(): Promise<IHasher>;
	/** Saves the job (saves of one job apply in order). */
	save(): Promise<void>;
	/** Bytes received so far of this file (committed or not). */
	progress(position: number): void;
	/** A non-fatal notice for the job (e.g. the file changed upstream and was started over). */
	notice(error: AppError): void;
	/** Forgets this file's progress (its bytes are deleted by the caller). */
	reset(): void;
	/** This file is being verified (the job too when it was the last one). */
	verifying(): void;
	/** The job's or the file's state changed: tell the pages. */
	changed(): void;
	/** A response that already carries the rest of this file (Background Fetch's), once. */
	takeResponse(): AdoptedResponse | null;
	/** This file waits before its next try (null: it is trying again / bytes arrive). */
	waiting(wait: DownloadWait | null): void;
}

/** A file must start over (changed upstream, or the server lost our place). */
export class RestartFile extends Error {
	override readonly name = 'RestartFile';
	readonly notice: AppError | null;
	constructor(message: string, notice: AppError | null = null) {
		super(message);
		this.notice = notice;
	}
}

/** The hasher of a file, continuing its saved state. */
export async function shardHasher(task: ShardTask): Promise<IHasher> {
	const hasher = await task.createHasher();
	if (task.shard.hashState) hasher.load(task.shard.hashState);
	else hasher.init();
	return hasher;
}
