import type { AppError, SerializedAppError } from '../errors';
import { snapshotOf } from './jobs';
import type {
	DownloadEvent,
	DownloadJobRecord,
	DownloadJobSnapshot,
	DownloadWait,
	ShardRecord
} from './types';

export interface JobReportsDeps {
	emit: (event: DownloadEvent) => void;
	now: () => number;
	/** The least time between two progress events of a job. */
	progressIntervalMs: () => number;
	/** Bytes Background Fetch carried so far for a job (0: none). */
	carried: (id: string) => number;
}

/**
 * What the pages see of the jobs: the bytes received but not yet committed, the notice shown
 * with a job, the files waiting to retry, and the `state` / `progress` events (progress at
 * most once per `progressIntervalMs` per job).
 */
export class JobReports {
	readonly #deps: JobReportsDeps;
	readonly #received = new Map<string, Map<string, number>>();
	readonly #notices = new Map<string, SerializedAppError>();
	/** Files waiting to retry, per job. */
	readonly #waits = new Map<string, Map<string, DownloadWait>>();
	readonly #lastProgress = new Map<string, number>();

	constructor(deps: JobReportsDeps) {
		this.#deps = deps;
	}

	snapshot(job: DownloadJobRecord): DownloadJobSnapshot {
		const waits = [...(this.#waits.get(job.id)?.values() ?? [])];
		const soonest = waits.sort((a, b) => a.retryAt - b.retryAt)[0] ?? null;
		const snapshot = snapshotOf(
			job,
			this.#received.get(job.id),
			this.#notices.get(job.id) ?? null,
			soonest
		);
		const carried = this.#deps.carried(job.id);
		if (job.state === 'background' && carried)
			snapshot.receivedBytes = Math.min(job.totalBytes, snapshot.receivedBytes + carried);
		return snapshot;
	}

	emitState(job: DownloadJobRecord): void {
		this.#lastProgress.set(job.id, this.#deps.now());
		this.#deps.emit({ type: 'state', job: this.snapshot(job) });
	}

	/** A file of a job reached `position` (received, maybe not committed yet). */
	progress(job: DownloadJobRecord, shard: ShardRecord, position: number): void {
		let received = this.#received.get(job.id);
		if (!received) this.#received.set(job.id, (received = new Map()));
		received.set(shard.path, position);
		if (this.setWait(job, shard, null)) return this.emitState(job);
		this.progressEvent(job);
	}

	progressEvent(job: DownloadJobRecord): void {
		const now = this.#deps.now();
		if (now - (this.#lastProgress.get(job.id) ?? 0) < this.#deps.progressIntervalMs()) return;
		this.#lastProgress.set(job.id, now);
		this.#deps.emit({ type: 'progress', job: this.snapshot(job) });
	}

	/** Records (or clears) a file's wait; true when that changed anything. */
	setWait(job: DownloadJobRecord, shard: ShardRecord, wait: DownloadWait | null): boolean {
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

	notice(id: string, error: AppError): void {
		this.#notices.set(id, error.toJSON());
	}

	clearNotice(id: string): void {
		this.#notices.delete(id);
	}

	/** Forgets the received bytes of a job (`path`: of one file only). */
	clearReceived(id: string, path?: string): void {
		if (path === undefined) this.#received.delete(id);
		else this.#received.get(id)?.delete(path);
	}

	/** Forgets everything about a job. */
	forget(id: string): void {
		this.#received.delete(id);
		this.#notices.delete(id);
		this.#waits.delete(id);
		this.#lastProgress.delete(id);
	}
}
