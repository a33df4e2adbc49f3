import type { AppError } from '../errors';
import { isActive } from './jobs';
import type { DownloadJobRecord, DownloadJobSnapshot } from './types';

/** A response Background Fetch brought for a file, and the byte its request started at. */
export interface AdoptedResponse {
	response: Response;
	start: number;
}

/** What the handover needs of the engine that owns the jobs. */
export interface HandoverHost {
	init(): Promise<void>;
	/** The job, or an error when there is none. */
	job(id: string): Promise<DownloadJobRecord>;
	/** The job if it is known (after `init`). */
	find(id: string): DownloadJobRecord | undefined;
	all(): Iterable<DownloadJobRecord>;
	/** Stops the engine's transfers of a job, committing what arrived (or dropping the tail). */
	stopShards(job: DownloadJobRecord, dropUncommitted?: boolean): Promise<void>;
	save(job: DownloadJobRecord): Promise<void>;
	emitState(job: DownloadJobRecord): void;
	progressEvent(job: DownloadJobRecord): void;
	schedule(): void;
	notice(job: DownloadJobRecord, reason: AppError): void;
	snapshot(job: DownloadJobRecord): DownloadJobSnapshot;
	key(job: DownloadJobRecord, path: string): string;
}

/**
 * The engine's side of Background Fetch: hands a running job over (its files stop at their
 * committed byte), follows the bytes the browser carries, takes back the responses it brought
 * (each file continues from its committed byte through the engine's usual path), or takes the
 * job back when the fetch failed or was aborted. The service worker drives it
 * (`service-worker/downloads/background.ts`).
 */
export class BackgroundHandover {
	readonly #host: HandoverHost;
	/** Responses Background Fetch brought (and the byte each was asked from), per file key. */
	readonly #adopted = new Map<string, AdoptedResponse>();
	/** Bytes Background Fetch has carried so far, per job. */
	readonly #carried = new Map<string, number>();

	constructor(host: HandoverHost) {
		this.#host = host;
	}

	/**
	 * Stops the engine's own transfer of a job so that Background Fetch carries the rest: what
	 * arrived is committed first, so the returned record says exactly where each file resumes.
	 * Null when the job is not downloading (nothing to hand over). `dropUncommitted`: the browser
	 * already fetches from the last commit the page saw, so bytes that arrived since are dropped.
	 */
	async handOff(
		id: string,
		options: { dropUncommitted?: boolean } = {}
	): Promise<DownloadJobRecord | null> {
		const job = await this.#host.job(id);
		if (job.state !== 'queued' && job.state !== 'downloading') return null;
		job.state = 'background';
		await this.#host.stopShards(job, options.dropUncommitted);
		// While its files stopped, the job may have ended: the last one finished (the model is
		// registered) or failed its check. Then there is nothing to hand over.
		if (job.state !== 'background') return null;
		await this.#host.save(job);
		return structuredClone(job);
	}

	/** Records the Background Fetch now carrying a handed-off job. */
	async started(id: string, transfer: NonNullable<DownloadJobRecord['background']>): Promise<void> {
		const job = await this.#host.job(id);
		if (job.state !== 'background') return;
		job.background = transfer;
		this.#carried.set(id, 0);
		await this.#host.save(job);
		this.#host.emitState(job);
	}

	/** Background Fetch progress (bytes carried so far, all files together). */
	progress(id: string, downloaded: number): void {
		const job = this.#host.find(id);
		if (job?.state !== 'background') return;
		this.#carried.set(id, downloaded);
		this.#host.progressEvent(job);
	}

	/**
	 * Background Fetch brought the rest of the files: each response continues its file from the
	 * committed byte (same checks, same saved hash state), then the job verifies and registers
	 * as usual; files without a response are fetched again from their committed byte. `reason`:
	 * shown with the job (why the engine fetches some files itself). Resolves when the job is done
	 * or failed.
	 */
	async adopt(
		id: string,
		responses: ReadonlyMap<string, Response>,
		reason?: AppError
	): Promise<DownloadJobSnapshot> {
		const job = await this.#host.job(id);
		if (job.state !== 'background') {
			for (const response of responses.values()) await response.body?.cancel().catch(() => {});
			return this.#host.snapshot(job);
		}
		for (const shard of job.shards) {
			const response = responses.get(shard.path);
			const start = job.background?.files.find((file) => file.path === shard.path)?.start;
			if (response && shard.state !== 'done')
				this.#adopted.set(this.#host.key(job, shard.path), {
					response,
					start: start ?? shard.committed
				});
			else await response?.body?.cancel().catch(() => {});
		}
		this.#toEngine(job);
		if (reason) this.#host.notice(job, reason);
		await this.#host.save(job);
		this.#host.emitState(job);
		this.#host.schedule();
		await new Promise<void>((resolve) => {
			const check = () => (isActive(job) ? setTimeout(check, 100) : resolve());
			check();
		});
		return this.#host.snapshot(job);
	}

	/**
	 * The Background Fetch of a job failed or was aborted: the job goes back to the engine from
	 * its last committed byte (`queued`: at once; `paused`: on Resume), with the reason shown
	 * (none: taken back quietly, a page came back at once).
	 */
	async ended(
		id: string,
		reason: AppError | null,
		state: 'queued' | 'paused' = 'queued'
	): Promise<void> {
		await this.#host.init();
		const job = this.#host.find(id);
		if (!job || job.state !== 'background') return;
		this.#toEngine(job);
		job.state = state;
		if (reason) this.#host.notice(job, reason);
		await this.#host.save(job);
		this.#host.emitState(job);
		this.#host.schedule();
	}

	/** Jobs Background Fetch carries now. */
	async jobs(): Promise<DownloadJobRecord[]> {
		await this.#host.init();
		return [...this.#host.all()].filter((job) => job.state === 'background');
	}

	/** The response Background Fetch brought for a file, once (null: fetch it as usual). */
	take(key: string): AdoptedResponse | null {
		const response = this.#adopted.get(key) ?? null;
		this.#adopted.delete(key);
		return response;
	}

	/** Bytes carried so far for a job (0 when none or not carried). */
	carried(id: string): number {
		return this.#carried.get(id) ?? 0;
	}

	/** The job no longer goes through Background Fetch (paused, cancelled). */
	drop(job: DownloadJobRecord): void {
		job.background = null;
		this.#carried.delete(job.id);
	}

	#toEngine(job: DownloadJobRecord): void {
		job.state = 'queued';
		this.drop(job);
		for (const shard of job.shards)
			if (shard.state !== 'done' && shard.state !== 'failed') shard.state = 'pending';
	}
}
