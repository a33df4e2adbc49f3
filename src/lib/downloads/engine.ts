import { createSHA256, type IHasher } from 'hash-wasm';
import { AppError, toAppError, type SerializedAppError } from '../errors';
import { SegmentStore } from '../storage/opfs';
import type { LocalModel } from '../storage/types';
import { abortError } from './abort';
import { createJob, isActive, localModelOf, resetShard, snapshotOf } from './jobs';
import type { JobStore } from './job-store';
import { checkQuota, quotaError } from './quota';
import { downloadShard } from './shard-download';
import type { ShardTask } from './shard-task';
import {
	DEFAULT_DOWNLOAD_SETTINGS,
	type DownloadEvent,
	type DownloadJobRecord,
	type DownloadJobSnapshot,
	type DownloadRequest,
	type DownloadSettings,
	type DownloadWait,
	type ShardRecord
} from './types';

export { SEGMENTS_BEHIND } from './body-to-segments';

/**
 * The download engine. It runs in the service worker (one per origin, so one download per file
 * whatever the number of tabs); it has no tie to the service worker itself, so tests run it in a
 * page. It keeps the jobs, schedules their files (`concurrency` at a time), and owns what the
 * pages see; each file is downloaded by `downloadShard` (resumable Range requests, hashed and
 * written to OPFS segments: `body-to-segments.ts`), whose progress is saved in IndexedDB at each
 * committed segment, so a resume starts at the next byte with nothing re-read or copied.
 */

export interface EngineDeps {
	hubUrl: string;
	/** Headers for a request to `url` (Authorization for the Hub origin only). */
	authHeaders: (url: string) => Promise<Record<string, string>>;
	root: () => Promise<FileSystemDirectoryHandle>;
	jobs: JobStore;
	models: {
		register(model: LocalModel): Promise<void>;
		remove(modelId: string): Promise<void>;
	};
	emit: (event: DownloadEvent) => void;
	estimate: () => Promise<{ usage?: number; quota?: number }>;
	fetch?: typeof fetch;
	settings?: Partial<DownloadSettings>;
	createHasher?: () => Promise<IHasher>;
	now?: () => number;
	random?: () => number;
}

interface Running {
	controller: AbortController;
	done: Promise<void>;
}

export class DownloadEngine {
	readonly #deps: EngineDeps;
	readonly #settings: DownloadSettings;
	readonly #fetch: typeof fetch;
	readonly #now: () => number;
	readonly #random: () => number;
	readonly #jobs = new Map<string, DownloadJobRecord>();
	readonly #running = new Map<string, Running>();
	readonly #received = new Map<string, Map<string, number>>();
	readonly #notices = new Map<string, SerializedAppError>();
	/** Responses Background Fetch brought, per file key, for the next request of that file. */
	readonly #adopted = new Map<string, Response>();
	/** Bytes Background Fetch has carried so far, per job. */
	readonly #backgroundBytes = new Map<string, number>();
	/** Files waiting to retry, per job. */
	readonly #waits = new Map<string, Map<string, DownloadWait>>();
	readonly #lastProgress = new Map<string, number>();
	readonly #saving = new Map<string, Promise<void>>();
	readonly #idleWaiters: (() => void)[] = [];
	#ready: Promise<void> | undefined;
	#stopped = false;

	constructor(deps: EngineDeps) {
		this.#deps = deps;
		this.#settings = { ...DEFAULT_DOWNLOAD_SETTINGS, ...deps.settings };
		this.#fetch = deps.fetch ?? ((input, init) => fetch(input, init));
		this.#now = deps.now ?? Date.now;
		this.#random = deps.random ?? Math.random;
	}

	get settings(): Readonly<DownloadSettings> {
		return this.#settings;
	}

	/** Loads saved jobs and picks up those that were running (after a restart of any kind). */
	init(): Promise<void> {
		this.#ready ??= (async () => {
			for (const job of await this.#deps.jobs.all()) {
				if (isActive(job)) {
					job.state = 'queued';
					for (const shard of job.shards)
						if (shard.state === 'downloading' || shard.state === 'verifying')
							shard.state = 'pending';
				}
				this.#jobs.set(job.id, job);
			}
			this.#schedule();
		})();
		return this.#ready;
	}

	setConcurrency(value: number): void {
		if (!Number.isInteger(value) || value < 1 || value > 16)
			throw new AppError('DOWNLOAD_INVALID_REQUEST', 'Parallel downloads must be 1 to 16.');
		this.#settings.concurrency = value;
		this.#schedule();
	}

	async list(): Promise<DownloadJobSnapshot[]> {
		await this.init();
		return [...this.#jobs.values()]
			.sort((a, b) => a.createdAt - b.createdAt)
			.map((job) => this.#snapshot(job));
	}

	/** True while any file is downloading or waiting to. */
	get busy(): boolean {
		return this.#running.size > 0 || [...this.#jobs.values()].some(isActive);
	}

	/** Resolves when nothing runs any more. */
	idle(): Promise<void> {
		if (!this.busy) return Promise.resolve();
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	/**
	 * Queues a variant. The same variant asked again (another tab, a double click) returns the
	 * existing job; a paused or failed one is resumed. Refused up front when it cannot fit.
	 */
	async start(request: DownloadRequest): Promise<DownloadJobSnapshot> {
		await this.init();
		const fresh = createJob(request, this.#settings.segmentBytes, this.#now());
		const existing = this.#jobs.get(fresh.id);
		if (existing) {
			if (existing.state === 'paused' || existing.state === 'failed')
				return this.resume(existing.id);
			return this.#snapshot(existing);
		}
		await checkQuota(fresh, this.#deps.estimate);
		this.#jobs.set(fresh.id, fresh);
		try {
			await this.#save(fresh);
		} catch (error) {
			this.#jobs.delete(fresh.id);
			throw quotaError(fresh, toAppError(error, 'STORAGE_UNAVAILABLE'));
		}
		this.#emitState(fresh);
		this.#schedule();
		return this.#snapshot(fresh);
	}

	async pause(id: string): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (!isActive(job) && job.state !== 'background') return this.#snapshot(job);
		job.background = null;
		this.#backgroundBytes.delete(job.id);
		job.state = 'paused';
		await this.#stopShards(job);
		await this.#save(job);
		this.#emitState(job);
		return this.#snapshot(job);
	}

	async resume(id: string): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (job.state !== 'paused' && job.state !== 'failed') return this.#snapshot(job);
		await checkQuota(job, this.#deps.estimate);
		job.state = 'queued';
		job.error = null;
		for (const shard of job.shards) if (shard.state === 'failed') shard.state = 'pending';
		this.#notices.delete(id);
		await this.#save(job);
		this.#emitState(job);
		this.#schedule();
		return this.#snapshot(job);
	}

	/** Stops a job and deletes its bytes (finished files of an unfinished job too). */
	async cancel(id: string): Promise<void> {
		const job = await this.#job(id);
		if (job.state === 'done') return;
		job.state = 'cancelled';
		job.background = null;
		await this.#stopShards(job);
		await this.#deleteBytes(job);
		await this.#forget(job);
	}

	// ---- Background Fetch ------------------------------------------------------------------

	/**
	 * Stops the engine's own transfer of a job so that Background Fetch carries the rest: what
	 * arrived is committed first, so the returned record says exactly where each file resumes.
	 * Null when the job is not downloading (nothing to hand over).
	 */
	async handOff(id: string): Promise<DownloadJobRecord | null> {
		const job = await this.#job(id);
		if (job.state !== 'queued' && job.state !== 'downloading') return null;
		job.state = 'background';
		await this.#stopShards(job);
		await this.#save(job);
		return structuredClone(job);
	}

	/** Records the Background Fetch now carrying a handed-off job. */
	async backgroundStarted(
		id: string,
		transfer: NonNullable<DownloadJobRecord['background']>
	): Promise<void> {
		const job = await this.#job(id);
		if (job.state !== 'background') return;
		job.background = transfer;
		this.#backgroundBytes.set(id, 0);
		await this.#save(job);
		this.#emitState(job);
	}

	/** Background Fetch progress (bytes carried so far, all files together). */
	backgroundProgress(id: string, downloaded: number): void {
		const job = this.#jobs.get(id);
		if (job?.state !== 'background') return;
		this.#backgroundBytes.set(id, downloaded);
		this.#progressEvent(job);
	}

	/**
	 * Background Fetch brought the rest of the files: each response continues its file from the
	 * committed byte (same checks, same saved hash state), then the job verifies and registers
	 * as usual. Resolves when the job is done or failed.
	 */
	async adopt(id: string, responses: ReadonlyMap<string, Response>): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (job.state !== 'background') {
			for (const response of responses.values()) await response.body?.cancel().catch(() => {});
			return this.#snapshot(job);
		}
		for (const shard of job.shards) {
			const response = responses.get(shard.path);
			if (response && shard.state !== 'done') this.#adopted.set(this.#key(job, shard), response);
		}
		this.#toEngine(job);
		await this.#save(job);
		this.#emitState(job);
		this.#schedule();
		await new Promise<void>((resolve) => {
			const check = () => (isActive(job) ? setTimeout(check, 100) : resolve());
			check();
		});
		return this.#snapshot(job);
	}

	/**
	 * The Background Fetch of a job failed or was aborted: the job goes back to the engine from
	 * its last committed byte (`queued`: at once; `paused`: on Resume), with the reason shown.
	 */
	async backgroundEnded(
		id: string,
		reason: AppError,
		state: 'queued' | 'paused' = 'queued'
	): Promise<void> {
		await this.init();
		const job = this.#jobs.get(id);
		if (!job || job.state !== 'background') return;
		this.#toEngine(job);
		job.state = state;
		this.#notices.set(job.id, reason.toJSON());
		await this.#save(job);
		this.#emitState(job);
		this.#schedule();
	}

	/** Jobs Background Fetch carries now. */
	async backgroundJobs(): Promise<DownloadJobRecord[]> {
		await this.init();
		return [...this.#jobs.values()].filter((job) => job.state === 'background');
	}

	#toEngine(job: DownloadJobRecord): void {
		job.state = 'queued';
		job.background = null;
		this.#backgroundBytes.delete(job.id);
		for (const shard of job.shards)
			if (shard.state !== 'done' && shard.state !== 'failed') shard.state = 'pending';
	}

	/** Deletes a downloaded model (or whatever a job left) and its record. */
	async deleteModel(id: string): Promise<void> {
		await this.init();
		const job = this.#jobs.get(id);
		if (job) {
			job.state = 'cancelled';
			await this.#stopShards(job);
			await this.#deleteBytes(job);
		}
		await this.#deps.models.remove(id);
		if (job) await this.#forget(job);
		this.#deps.emit({ type: 'modelsChanged' });
	}

	/**
	 * Stops every running file without changing any job (as when the service worker is stopped):
	 * a new engine over the same store picks the jobs up. For tests and shutdown.
	 */
	async stop(): Promise<void> {
		const running = [...this.#running.values()];
		for (const { controller } of running) controller.abort(abortError());
		this.#stopped = true;
		await Promise.all(running.map(({ done }) => done));
		await Promise.all([...this.#saving.values()]);
	}

	// ---- internals -------------------------------------------------------------------------

	async #job(id: string): Promise<DownloadJobRecord> {
		await this.init();
		const job = this.#jobs.get(id);
		if (!job)
			throw new AppError('DOWNLOAD_INVALID_REQUEST', 'There is no such download.', {
				details: { id }
			});
		return job;
	}

	#key(job: DownloadJobRecord, shard: ShardRecord): string {
		return `${job.id}\n${shard.path}`;
	}

	#snapshot(job: DownloadJobRecord): DownloadJobSnapshot {
		const waits = [...(this.#waits.get(job.id)?.values() ?? [])];
		const soonest = waits.sort((a, b) => a.retryAt - b.retryAt)[0] ?? null;
		const snapshot = snapshotOf(
			job,
			this.#received.get(job.id),
			this.#notices.get(job.id) ?? null,
			soonest
		);
		const carried = this.#backgroundBytes.get(job.id);
		if (job.state === 'background' && carried)
			snapshot.receivedBytes = Math.min(job.totalBytes, snapshot.receivedBytes + carried);
		return snapshot;
	}

	#emitState(job: DownloadJobRecord): void {
		this.#lastProgress.set(job.id, this.#now());
		this.#deps.emit({ type: 'state', job: this.#snapshot(job) });
	}

	#progress(job: DownloadJobRecord, shard: ShardRecord, position: number): void {
		let received = this.#received.get(job.id);
		if (!received) this.#received.set(job.id, (received = new Map()));
		received.set(shard.path, position);
		if (this.#setWait(job, shard, null)) return this.#emitState(job);
		this.#progressEvent(job);
	}

	#progressEvent(job: DownloadJobRecord): void {
		const now = this.#now();
		if (now - (this.#lastProgress.get(job.id) ?? 0) < this.#settings.progressIntervalMs) return;
		this.#lastProgress.set(job.id, now);
		this.#deps.emit({ type: 'progress', job: this.#snapshot(job) });
	}

	/** Saves a job; saves of one job are applied in order. */
	#save(job: DownloadJobRecord): Promise<void> {
		job.updatedAt = this.#now();
		const record = structuredClone(job);
		const previous = this.#saving.get(job.id) ?? Promise.resolve();
		const next = previous.then(() => this.#deps.jobs.put(record));
		const tracked = next.catch(() => {});
		this.#saving.set(job.id, tracked);
		void tracked.then(() => {
			if (this.#saving.get(job.id) === tracked) this.#saving.delete(job.id);
		});
		return next;
	}

	async #forget(job: DownloadJobRecord): Promise<void> {
		await this.#saving.get(job.id);
		this.#jobs.delete(job.id);
		this.#received.delete(job.id);
		this.#notices.delete(job.id);
		this.#waits.delete(job.id);
		this.#lastProgress.delete(job.id);
		await this.#deps.jobs.delete(job.id);
		this.#deps.emit({ type: 'removed', id: job.id });
		this.#checkIdle();
	}

	async #deleteBytes(job: DownloadJobRecord): Promise<void> {
		const root = await this.#deps.root();
		for (const shard of job.shards)
			await new SegmentStore(root, job.repoId, job.revision, shard.path).remove();
	}

	async #stopShards(job: DownloadJobRecord): Promise<void> {
		const stopping: Promise<void>[] = [];
		for (const shard of job.shards) {
			const running = this.#running.get(this.#key(job, shard));
			if (!running) continue;
			running.controller.abort(abortError());
			stopping.push(running.done);
		}
		await Promise.all(stopping);
		for (const shard of job.shards)
			if (shard.state === 'downloading' || shard.state === 'verifying') shard.state = 'pending';
	}

	#schedule(): void {
		if (this.#stopped) return;
		const jobs = [...this.#jobs.values()]
			.filter((job) => job.state === 'queued' || job.state === 'downloading')
			.sort((a, b) => a.createdAt - b.createdAt);
		for (const job of jobs)
			for (const shard of job.shards) {
				if (this.#running.size >= this.#settings.concurrency) return;
				if (shard.state !== 'pending' || this.#running.has(this.#key(job, shard))) continue;
				this.#run(job, shard);
			}
		this.#checkIdle();
	}

	#checkIdle(): void {
		if (this.busy) return;
		for (const resolve of this.#idleWaiters.splice(0)) resolve();
	}

	#run(job: DownloadJobRecord, shard: ShardRecord): void {
		const key = this.#key(job, shard);
		const controller = new AbortController();
		shard.state = 'downloading';
		if (job.state === 'queued') {
			job.state = 'downloading';
			void this.#save(job).catch(() => {});
			this.#emitState(job);
		}
		const done = (async () => {
			try {
				await downloadShard(this.#task(job, shard, controller.signal));
				await this.#afterShard(job);
			} catch (error) {
				if (controller.signal.aborted) {
					if (shard.state === 'downloading') shard.state = 'pending';
					return;
				}
				await this.#fail(job, shard, quotaError(job, toAppError(error, 'DOWNLOAD_NETWORK')));
			}
		})().finally(() => {
			this.#setWait(job, shard, null);
			this.#running.delete(key);
			this.#schedule();
		});
		this.#running.set(key, { controller, done });
	}

	async #fail(job: DownloadJobRecord, shard: ShardRecord, error: AppError): Promise<void> {
		if (job.state === 'cancelled' || job.state === 'failed') return;
		shard.state = 'failed';
		job.state = 'failed';
		job.error = error.toJSON();
		// Other files of this job stop too, keeping what they committed (and verified files).
		for (const other of job.shards) {
			if (other === shard) continue;
			this.#running.get(this.#key(job, other))?.controller.abort(abortError());
		}
		await Promise.all(
			job.shards
				.filter((other) => other !== shard)
				.map((other) => this.#running.get(this.#key(job, other))?.done)
		);
		for (const other of job.shards)
			if (other.state === 'downloading' || other.state === 'verifying') other.state = 'pending';
		await this.#save(job).catch(() => {});
		this.#emitState(job);
	}

	async #afterShard(job: DownloadJobRecord): Promise<void> {
		if (!job.shards.every((shard) => shard.state === 'done')) return;
		if (job.state === 'done' || job.state === 'cancelled') return;
		job.state = 'verifying';
		this.#emitState(job);
		await this.#deps.models.register(localModelOf(job, this.#now()));
		job.state = 'done';
		this.#received.delete(job.id);
		// Hash states are not needed once the model is registered.
		for (const shard of job.shards) shard.hashState = null;
		await this.#save(job);
		this.#emitState(job);
		this.#deps.emit({ type: 'modelsChanged' });
	}

	/** Records (or clears) a file's wait; true when that changed anything. */
	#setWait(job: DownloadJobRecord, shard: ShardRecord, wait: DownloadWait | null): boolean {
		let waits = this.#waits.get(job.id);
		if (!wait) {
			if (!waits?.delete(shard.path)) return false;
			if (waits.size === 0) this.#waits.delete(job.id);
			return true;
		}
		if (!waits) this.#waits.set(job.id, (waits = new Map()));
		waits.set(shard.path, wait);
		return true;
	}

	/** The engine's side of downloading one file. */
	#task(job: DownloadJobRecord, shard: ShardRecord, signal: AbortSignal): ShardTask {
		const deps = this.#deps;
		return {
			job,
			shard,
			signal,
			hubUrl: deps.hubUrl,
			settings: this.#settings,
			fetch: this.#fetch,
			now: this.#now,
			random: this.#random,
			authHeaders: deps.authHeaders,
			root: deps.root,
			createHasher: deps.createHasher ?? createSHA256,
			save: () => this.#save(job),
			progress: (position) => this.#progress(job, shard, position),
			notice: (error) => {
				this.#notices.set(job.id, error.toJSON());
				this.#emitState(job);
			},
			reset: () => {
				resetShard(shard);
				this.#received.get(job.id)?.delete(shard.path);
			},
			verifying: () => {
				if (job.shards.every((other) => other === shard || other.state === 'done')) {
					job.state = 'verifying';
					this.#emitState(job);
				}
			},
			changed: () => this.#emitState(job),
			takeResponse: () => {
				const key = this.#key(job, shard);
				const response = this.#adopted.get(key) ?? null;
				this.#adopted.delete(key);
				return response;
			},
			waiting: (wait) => {
				if (this.#setWait(job, shard, wait)) this.#emitState(job);
			}
		};
	}
}
