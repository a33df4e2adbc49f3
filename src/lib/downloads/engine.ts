import { createSHA256, type IHasher } from 'hash-wasm';
import { AppError, toAppError } from '../errors';
import { SegmentStore } from '../storage/opfs';
import type { LocalModel } from '../storage/types';
import { abortError, dropUncommittedAbort } from './abort';
import { BackgroundHandover } from './background-handover';
import { JobReports } from './job-reports';
import { createJob, isActive, localModelOf, resetShard } from './jobs';
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
	readonly #saving = new Map<string, Promise<void>>();
	readonly #idleWaiters: (() => void)[] = [];
	#ready: Promise<void> | undefined;
	#stopped = false;
	/** Hands running jobs to Background Fetch and takes them back (`background-handover.ts`). */
	readonly background: BackgroundHandover;
	/** What the pages see of the jobs (`job-reports.ts`). */
	readonly #reports: JobReports;

	constructor(deps: EngineDeps) {
		this.#deps = deps;
		this.#settings = { ...DEFAULT_DOWNLOAD_SETTINGS, ...deps.settings };
		this.#fetch = deps.fetch ?? ((input, init) => fetch(input, init));
		this.#now = deps.now ?? Date.now;
		this.#random = deps.random ?? Math.random;
		this.#reports = new JobReports({
			emit: deps.emit,
			now: this.#now,
			progressIntervalMs: () => this.#settings.progressIntervalMs,
			carried: (id) => this.background.carried(id)
		});
		this.background = new BackgroundHandover({
			init: () => this.init(),
			job: (id) => this.#job(id),
			find: (id) => this.#jobs.get(id),
			all: () => this.#jobs.values(),
			stopShards: (job, dropUncommitted) =>
				this.#stopShards(job, dropUncommitted ? dropUncommittedAbort() : abortError()),
			save: (job) => this.#save(job),
			emitState: (job) => this.#reports.emitState(job),
			progressEvent: (job) => this.#reports.progressEvent(job),
			schedule: () => this.#schedule(),
			notice: (job, reason) => this.#reports.notice(job.id, reason),
			snapshot: (job) => this.#reports.snapshot(job),
			key: (job, path) => this.#key(job, path)
		});
	}

	get settings(): Readonly<DownloadSettings> {
		return this.#settings;
	}

	/** Loads saved jobs and picks up those that were running (after a restart of any kind). */
	init(): Promise<void> {
		this.#ready ??= (async () => {
			for (const job of await this.#deps.jobs.all()) {
				if (isActive(job)) {
					const failed = job.shards.find((shard) => shard.state === 'failed');
					if (failed) {
						// Left by an engine that stopped between a file's failure and the job's (or by one
						// before the hand-over race was fixed): nothing would ever run it again.
						job.state = 'failed';
						job.error ??= new AppError(
							'DOWNLOAD_NETWORK',
							`${failed.path} failed and was not kept. Retry the download.`
						).toJSON();
					} else {
						job.state = 'queued';
						for (const shard of job.shards)
							if (shard.state === 'downloading' || shard.state === 'verifying')
								shard.state = 'pending';
					}
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
			.map((job) => this.#reports.snapshot(job));
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
			return this.#reports.snapshot(existing);
		}
		await checkQuota(fresh, this.#deps.estimate);
		this.#jobs.set(fresh.id, fresh);
		try {
			await this.#save(fresh);
		} catch (error) {
			this.#jobs.delete(fresh.id);
			throw quotaError(fresh, toAppError(error, 'STORAGE_UNAVAILABLE'));
		}
		this.#reports.emitState(fresh);
		this.#schedule();
		return this.#reports.snapshot(fresh);
	}

	async pause(id: string): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (!isActive(job) && job.state !== 'background') return this.#reports.snapshot(job);
		this.background.drop(job);
		job.state = 'paused';
		await this.#stopShards(job);
		await this.#save(job);
		this.#reports.emitState(job);
		return this.#reports.snapshot(job);
	}

	async resume(id: string): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (job.state !== 'paused' && job.state !== 'failed') return this.#reports.snapshot(job);
		await checkQuota(job, this.#deps.estimate);
		job.state = 'queued';
		job.error = null;
		for (const shard of job.shards) if (shard.state === 'failed') shard.state = 'pending';
		this.#reports.clearNotice(id);
		await this.#save(job);
		this.#reports.emitState(job);
		this.#schedule();
		return this.#reports.snapshot(job);
	}

	/** Stops a job and deletes its bytes (finished files of an unfinished job too). */
	async cancel(id: string): Promise<void> {
		const job = await this.#job(id);
		if (job.state === 'done') return;
		job.state = 'cancelled';
		this.background.drop(job);
		await this.#stopShards(job);
		await this.#deleteBytes(job);
		await this.#forget(job);
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

	#key(job: DownloadJobRecord, path: string): string {
		return `${job.id}\n${path}`;
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
		this.#reports.forget(job.id);
		await this.#deps.jobs.delete(job.id);
		this.#deps.emit({ type: 'removed', id: job.id });
		this.#checkIdle();
	}

	async #deleteBytes(job: DownloadJobRecord): Promise<void> {
		const root = await this.#deps.root();
		for (const shard of job.shards)
			await new SegmentStore(root, job.repoId, job.revision, shard.path).remove();
	}

	async #stopShards(job: DownloadJobRecord, reason = abortError()): Promise<void> {
		const stopping: Promise<void>[] = [];
		for (const shard of job.shards) {
			const running = this.#running.get(this.#key(job, shard.path));
			if (!running) continue;
			running.controller.abort(reason);
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
				if (shard.state !== 'pending' || this.#running.has(this.#key(job, shard.path))) continue;
				this.#run(job, shard);
			}
		this.#checkIdle();
	}

	#checkIdle(): void {
		if (this.busy) return;
		for (const resolve of this.#idleWaiters.splice(0)) resolve();
	}

	#run(job: DownloadJobRecord, shard: ShardRecord): void {
		const key = this.#key(job, shard.path);
		const controller = new AbortController();
		shard.state = 'downloading';
		if (job.state === 'queued') {
			job.state = 'downloading';
			void this.#save(job).catch(() => {});
			this.#reports.emitState(job);
		}
		const done = (async () => {
			try {
				await downloadShard(this.#task(job, shard, controller.signal));
				await this.#afterShard(job);
			} catch (error) {
				// A file that failed its check is failed, whatever stopped the job meanwhile (a hand-over
				// to Background Fetch, a pause): its bytes are gone, and the job must say so.
				if (controller.signal.aborted && shard.state !== 'failed') {
					if (shard.state === 'downloading') shard.state = 'pending';
					return;
				}
				await this.#fail(job, shard, quotaError(job, toAppError(error, 'DOWNLOAD_NETWORK')));
			}
		})().finally(() => {
			this.#reports.setWait(job, shard, null);
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
			this.#running.get(this.#key(job, other.path))?.controller.abort(abortError());
		}
		await Promise.all(
			job.shards
				.filter((other) => other !== shard)
				.map((other) => this.#running.get(this.#key(job, other.path))?.done)
		);
		for (const other of job.shards)
			if (other.state === 'downloading' || other.state === 'verifying') other.state = 'pending';
		await this.#save(job).catch(() => {});
		this.#reports.emitState(job);
	}

	async #afterShard(job: DownloadJobRecord): Promise<void> {
		if (!job.shards.every((shard) => shard.state === 'done')) return;
		if (job.state === 'done' || job.state === 'cancelled') return;
		job.state = 'verifying';
		this.#reports.emitState(job);
		await this.#deps.models.register(localModelOf(job, this.#now()));
		job.state = 'done';
		this.#reports.clearReceived(job.id);
		// Hash states are not needed once the model is registered.
		for (const shard of job.shards) shard.hashState = null;
		await this.#save(job);
		this.#reports.emitState(job);
		this.#deps.emit({ type: 'modelsChanged' });
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
			// Pages hear of each commit at once: one that goes away hands over from that byte.
			save: () => this.#save(job).then(() => this.#reports.emitState(job)),
			progress: (position) => this.#reports.progress(job, shard, position),
			notice: (error) => {
				this.#reports.notice(job.id, error);
				this.#reports.emitState(job);
			},
			reset: () => {
				resetShard(shard);
				this.#reports.clearReceived(job.id, shard.path);
			},
			verifying: () => {
				// Only a running job: one being handed over keeps its state.
				if (job.state !== 'downloading') return;
				if (job.shards.every((other) => other === shard || other.state === 'done')) {
					job.state = 'verifying';
					this.#reports.emitState(job);
				}
			},
			changed: () => this.#reports.emitState(job),
			takeResponse: () => this.background.take(this.#key(job, shard.path)),
			waiting: (wait) => {
				if (this.#reports.setWait(job, shard, wait)) this.#reports.emitState(job);
			}
		};
	}
}
