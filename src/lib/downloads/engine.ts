import { createSHA256, type IHasher } from 'hash-wasm';
import { AppError, toAppError, type SerializedAppError } from '../errors';
import { SegmentStore, type SegmentWriter } from '../storage/opfs';
import { formatBytes } from '../units';
import type { LocalModel } from '../storage/types';
import {
	RetryableError,
	errorForResponse,
	parseContentRange,
	resolveUrl,
	strongEtag
} from './http';
import { createJob, isActive, localModelOf, remainingBytes, resetShard, snapshotOf } from './jobs';
import type { JobStore } from './job-store';
import { backoffDelay } from './retry';
import {
	DEFAULT_DOWNLOAD_SETTINGS,
	type DownloadEvent,
	type DownloadJobRecord,
	type DownloadJobSnapshot,
	type DownloadRequest,
	type DownloadSettings,
	type ShardRecord
} from './types';

/**
 * The download engine. It runs in the service worker (one per origin, so one download per file
 * whatever the number of tabs); it has no tie to the service worker itself, so tests run it in a
 * page. For each file: `Range` GET of `resolve/{commit}/{path}` (the redirect to the CDN is
 * followed by fetch; auth headers go to the Hub origin only), bytes hashed (incremental SHA-256)
 * and written to OPFS segment files; at each committed segment the hash state and the byte count
 * are saved in IndexedDB, so a resume starts at the next byte with nothing re-read or copied.
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

/** A file must start over (changed upstream, or the server lost our place). */
class RestartFile extends Error {
	override readonly name = 'RestartFile';
	readonly notice: AppError | null;
	constructor(message: string, notice: AppError | null = null) {
		super(message);
		this.notice = notice;
	}
}

const MAX_RESTARTS = 2;
/**
 * Full segments that may still be closing while the next is written. OPFS writes to one file are
 * sequential (about 230 MiB/s here) but different files are written in parallel (2 files: ~330,
 * 4 files: ~370 MiB/s), so a few segments in flight keep the disk from bounding the download.
 */
export const SEGMENTS_BEHIND = 3;

function abortError(): DOMException {
	return new DOMException('The download was paused or cancelled.', 'AbortError');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(abortError());
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError());
		};
		signal.addEventListener('abort', onAbort, { once: true });
	});
}

/** Network failures (a cut connection, DNS, CORS) surface as TypeError from fetch/read. */
function isRetryable(error: unknown): boolean {
	return error instanceof RetryableError || error instanceof TypeError;
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
		await this.#checkQuota(fresh);
		this.#jobs.set(fresh.id, fresh);
		try {
			await this.#save(fresh);
		} catch (error) {
			this.#jobs.delete(fresh.id);
			throw this.#quotaError(fresh, toAppError(error, 'STORAGE_UNAVAILABLE'));
		}
		this.#emitState(fresh);
		this.#schedule();
		return this.#snapshot(fresh);
	}

	async pause(id: string): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (!isActive(job)) return this.#snapshot(job);
		job.state = 'paused';
		await this.#stopShards(job);
		await this.#save(job);
		this.#emitState(job);
		return this.#snapshot(job);
	}

	async resume(id: string): Promise<DownloadJobSnapshot> {
		const job = await this.#job(id);
		if (job.state !== 'paused' && job.state !== 'failed') return this.#snapshot(job);
		await this.#checkQuota(job);
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

	async #checkQuota(job: DownloadJobRecord): Promise<void> {
		const needed = remainingBytes(job);
		let estimate: { usage?: number; quota?: number };
		try {
			estimate = await this.#deps.estimate();
		} catch {
			return; // No estimate: a mid-way QuotaExceededError still stops cleanly.
		}
		if (estimate.quota === undefined) return;
		const available = Math.max(0, estimate.quota - (estimate.usage ?? 0));
		if (needed > available)
			throw new AppError(
				'STORAGE_QUOTA',
				`Not enough storage: this model needs ${formatBytes(needed)} but the browser allows this site only ${formatBytes(available)} more. Delete models in the Library or free disk space, then try again.`,
				{ details: { needed, available, quota: estimate.quota, usage: estimate.usage ?? 0 } }
			);
	}

	/** A storage quota error, told in terms of this download (other errors pass through). */
	#quotaError(job: DownloadJobRecord, error: AppError): AppError {
		if (error.code !== 'STORAGE_QUOTA') return error;
		const left = remainingBytes(job);
		return new AppError(
			'STORAGE_QUOTA',
			`Not enough storage: the browser refused to store more of this model (${formatBytes(left)} still to download). Files already verified were kept. Delete models in the Library or free disk space, then retry.`,
			{ cause: error, details: { remaining: left } }
		);
	}

	#key(job: DownloadJobRecord, shard: ShardRecord): string {
		return `${job.id}\n${shard.path}`;
	}

	#snapshot(job: DownloadJobRecord): DownloadJobSnapshot {
		return snapshotOf(job, this.#received.get(job.id), this.#notices.get(job.id) ?? null);
	}

	#emitState(job: DownloadJobRecord): void {
		this.#lastProgress.set(job.id, this.#now());
		this.#deps.emit({ type: 'state', job: this.#snapshot(job) });
	}

	#progress(job: DownloadJobRecord, shard: ShardRecord, position: number): void {
		let received = this.#received.get(job.id);
		if (!received) this.#received.set(job.id, (received = new Map()));
		received.set(shard.path, position);
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
				await this.#downloadShard(job, shard, controller.signal);
				await this.#afterShard(job);
			} catch (error) {
				if (controller.signal.aborted) {
					if (shard.state === 'downloading') shard.state = 'pending';
					return;
				}
				await this.#fail(job, shard, this.#quotaError(job, toAppError(error, 'DOWNLOAD_NETWORK')));
			}
		})().finally(() => {
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

	#reset(job: DownloadJobRecord, shard: ShardRecord): void {
		resetShard(shard);
		this.#received.get(job.id)?.delete(shard.path);
	}

	async #hasher(shard: ShardRecord): Promise<IHasher> {
		const hasher = await (this.#deps.createHasher ?? createSHA256)();
		if (shard.hashState) hasher.load(shard.hashState);
		else hasher.init();
		return hasher;
	}

	async #downloadShard(
		job: DownloadJobRecord,
		shard: ShardRecord,
		signal: AbortSignal
	): Promise<void> {
		const store = new SegmentStore(await this.#deps.root(), job.repoId, job.revision, shard.path);
		// Segments beyond the saved progress were written but never recorded: drop them. Missing
		// bytes (storage cleared under us) mean starting the file over.
		await store.truncate(shard.segments);
		const sizes = await store.segmentSizes();
		const onDisk = sizes.reduce((sum, size) => sum + size, 0);
		if (sizes.length !== shard.segments || onDisk !== shard.committed) {
			await store.truncate(0);
			this.#reset(job, shard);
			shard.state = 'downloading';
		}
		let attempt = 0;
		let restarts = 0;
		while (shard.committed < shard.size || shard.hashState === null) {
			const before = shard.committed;
			try {
				await this.#fetchOnce(job, shard, store, signal);
			} catch (error) {
				if (signal.aborted) throw error;
				if (error instanceof RestartFile) {
					if (++restarts > MAX_RESTARTS)
						throw (
							error.notice ??
							new AppError('DOWNLOAD_CHANGED_UPSTREAM', `${shard.path} keeps changing upstream.`)
						);
					if (error.notice) {
						this.#notices.set(job.id, error.notice.toJSON());
						this.#emitState(job);
					}
					await store.truncate(0);
					this.#reset(job, shard);
					shard.state = 'downloading';
					await this.#save(job);
					continue;
				}
				if (!isRetryable(error)) throw error;
				if (shard.committed > before) attempt = 0;
				if (++attempt > this.#settings.maxAttempts)
					throw new AppError(
						'DOWNLOAD_NETWORK',
						`The download of ${shard.path} keeps failing (${error instanceof Error ? error.message : String(error)}). Check the connection and retry.`,
						{ cause: error }
					);
				const backoff = backoffDelay(
					attempt,
					this.#settings.retryBaseMs,
					this.#settings.retryMaxMs,
					this.#random
				);
				const delay =
					error instanceof RetryableError
						? (error.retryAfterMs ?? Math.max(backoff, error.minDelayMs))
						: backoff;
				await sleep(delay, signal);
			}
		}
		await this.#verify(job, shard, store);
	}

	async #verify(job: DownloadJobRecord, shard: ShardRecord, store: SegmentStore): Promise<void> {
		shard.state = 'verifying';
		if (job.shards.every((other) => other === shard || other.state === 'done')) {
			job.state = 'verifying';
			this.#emitState(job);
		}
		const actual = (await this.#hasher(shard)).digest('hex');
		if (shard.sha256 !== null && actual !== shard.sha256.toLowerCase()) {
			await store.remove();
			this.#reset(job, shard);
			shard.state = 'failed';
			throw new AppError(
				'DOWNLOAD_HASH_MISMATCH',
				`${shard.path} did not match the SHA-256 published on the Hub, so it was deleted. Retry the download; if it fails again, the file on the server may be corrupt.`,
				{ details: { path: shard.path, expected: shard.sha256, actual } }
			);
		}
		shard.actualSha256 = actual;
		shard.state = 'done';
		await this.#save(job);
		this.#emitState(job);
	}

	/** One request for the rest of a file. Throws on anything short of the whole file. */
	async #fetchOnce(
		job: DownloadJobRecord,
		shard: ShardRecord,
		store: SegmentStore,
		signal: AbortSignal
	): Promise<void> {
		if (shard.committed === shard.size && shard.hashState === null && shard.size > 0)
			throw new RestartFile('Progress without hash state');
		if (shard.committed === shard.size && shard.size === 0) {
			// Nothing to fetch: an empty file has the empty hash state.
			shard.hashState = (await this.#hasher(shard)).save();
			await this.#save(job);
			return;
		}
		const url = resolveUrl(this.#deps.hubUrl, job.repoId, job.revision, shard.path);
		const headers: Record<string, string> = { ...(await this.#deps.authHeaders(url)) };
		if (shard.committed > 0) {
			headers['Range'] = `bytes=${shard.committed}-`;
			if (shard.etag) headers['If-Range'] = shard.etag;
		}
		const response = await this.#fetch(url, {
			headers,
			signal,
			cache: 'no-store',
			credentials: 'omit',
			redirect: 'follow'
		});
		if (!response.ok) {
			await response.body?.cancel().catch(() => {});
			if (response.status === 416) throw new RestartFile('Range not satisfiable');
			throw errorForResponse(response, job.repoId, this.#now());
		}
		const etag = strongEtag(response.headers.get('etag'));
		const changed = (what: string) =>
			new AppError(
				'DOWNLOAD_CHANGED_UPSTREAM',
				`${shard.path} changed on the server during the download (${what}); it was started over.`,
				{ details: { path: shard.path } }
			);
		if (response.status === 206) {
			const range = parseContentRange(response.headers.get('content-range'));
			if (!range || range.start !== shard.committed) {
				await response.body?.cancel().catch(() => {});
				throw new RestartFile('Unexpected Content-Range');
			}
			if (range.total !== null && range.total !== shard.size) {
				await response.body?.cancel().catch(() => {});
				throw new RestartFile('Size changed', changed('new size'));
			}
			if (shard.etag && etag && etag !== shard.etag) {
				await response.body?.cancel().catch(() => {});
				throw new RestartFile('ETag changed', changed('new ETag'));
			}
		} else if (shard.committed > 0) {
			// A 200 to a Range request: the whole file again. Start over with this very response.
			const notice = shard.etag && etag && etag !== shard.etag ? changed('new ETag') : null;
			if (notice) {
				this.#notices.set(job.id, notice.toJSON());
				this.#emitState(job);
			}
			await store.truncate(0);
			this.#reset(job, shard);
			shard.state = 'downloading';
			await this.#save(job);
		}
		if (etag) shard.etag = etag;
		if (!response.body) throw new RetryableError('Empty response body');
		await this.#consume(job, shard, store, response.body, signal);
	}

	/**
	 * Streams a body into segments; commits what was received even when the stream breaks.
	 *
	 * The stages overlap: bytes are hashed on this thread while earlier ones are written by the
	 * browser (`SegmentWriter` keeps a few writes in flight), and a full segment is closed and its
	 * progress saved in the background while the next ones are read, hashed and written (the
	 * browser writes different files in parallel: one file's writes are sequential). Commits run
	 * strictly in order and at most `SEGMENTS_BEHIND` run behind the reader, so `committed`,
	 * `segments` and `hashState` always describe a prefix of closed segment files, and memory
	 * stays bounded whatever the file size. A crash loses at most those uncommitted segments.
	 */
	async #consume(
		job: DownloadJobRecord,
		shard: ShardRecord,
		store: SegmentStore,
		body: ReadableStream<Uint8Array>,
		signal: AbortSignal
	): Promise<void> {
		const hasher = await this.#hasher(shard);
		const segmentBytes = shard.segmentBytes;
		const reader = body.getReader();
		let writer: SegmentWriter | null = null;
		let position = shard.committed;
		/** Commits still running, oldest first; each waits for the one before it. */
		const behind: Promise<void>[] = [];
		let behindFailed = false;
		/** Index of the next segment file (ahead of `shard.segments` while a commit runs). */
		let nextIndex = shard.segments;
		/** Closes the current segment behind the reader (waits while too many are closing). */
		const seal = async () => {
			const current = writer;
			writer = null;
			if (!current) return;
			if (current.bytes === 0) return current.abort();
			const end = position;
			const state = hasher.save();
			nextIndex += 1;
			const previous = behind[behind.length - 1];
			const commit = (async () => {
				if (previous) {
					try {
						await previous;
					} catch (error) {
						await current.abort();
						throw error;
					}
				}
				await current.commit();
				shard.committed = end;
				shard.segments += 1;
				shard.hashState = state;
				await this.#save(job);
			})();
			commit.catch(() => {
				behindFailed = true;
			});
			behind.push(commit);
			while (behind.length > SEGMENTS_BEHIND) await behind.shift();
		};
		const settle = async () => {
			const last = behind[behind.length - 1];
			behind.length = 0;
			try {
				if (last) await last;
			} catch (error) {
				behindFailed = true;
				throw error;
			}
		};
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				let chunk = value as Uint8Array<ArrayBuffer>;
				while (chunk.byteLength > 0) {
					if (behindFailed) await settle();
					writer ??= await store.openSegment(nextIndex);
					const part = chunk.subarray(0, segmentBytes - writer.bytes);
					if (position + part.byteLength > shard.size)
						throw new RestartFile(
							'Too many bytes',
							new AppError(
								'DOWNLOAD_CHANGED_UPSTREAM',
								`${shard.path} is larger on the server than the Hub says; it was started over.`
							)
						);
					hasher.update(part);
					await writer.write(part);
					position += part.byteLength;
					chunk = chunk.subarray(part.byteLength);
					if (writer.bytes === segmentBytes) await seal();
					this.#progress(job, shard, position);
				}
			}
			if (position < shard.size) throw new RetryableError('The connection ended early');
			await seal();
			await settle();
		} catch (error) {
			// Keep what arrived intact (cut connection, pause): the hash covers exactly those bytes.
			const keep = signal.aborted || isRetryable(error);
			const current = writer as SegmentWriter | null;
			writer = null;
			let kept = false;
			if (keep && !behindFailed) {
				try {
					await settle();
					if (current && current.bytes > 0) {
						writer = current;
						await seal();
						await settle();
					}
					kept = true;
				} catch {
					// The earlier segments could not be committed: drop the rest.
				}
			}
			if (!kept) {
				await current?.abort();
				await Promise.allSettled(behind.splice(0));
			}
			reader.releaseLock();
			await body.cancel().catch(() => {});
			if (signal.aborted) throw abortError();
			throw error;
		}
	}
}
