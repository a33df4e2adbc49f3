import { createContext } from 'svelte';
import {
	DEFAULT_DOWNLOAD_SETTINGS,
	ServiceWorkerDownloadClient,
	listLocalModels,
	hasBackgroundFetch,
	loadConcurrency,
	saveConcurrency,
	requestPersistentStorage,
	storageStatus,
	type DownloadBackend,
	type DownloadEvent,
	type DownloadJobSnapshot,
	type DownloadRequest,
	type LocalModel,
	type StorageStatus
} from '$lib/downloads';
import { ByteRate } from '$lib/downloads/rate';
import { describeDownload, type DownloadStatus } from '$lib/downloads/status';
import { toAppError, type SerializedAppError } from '$lib/errors';
import { pinMissing, unpinLocalModel } from '$lib/ipfs';

/** Everything the store talks to; tests pass fakes. */
export interface DownloadsDeps {
	backend: () => DownloadBackend;
	listModels: () => Promise<LocalModel[]>;
	storageStatus: () => Promise<StorageStatus>;
	requestPersistence: () => Promise<boolean>;
	loadConcurrency: () => Promise<number>;
	saveConcurrency: (value: number) => Promise<void>;
	/** Whether the browser has Background Fetch (downloads that go on with Citrate closed). */
	hasBackgroundFetch?: () => boolean;
	/** IPFS: pins verified models that have no CID yet (true when one got it); unpins on delete. */
	pinModels?: (models: readonly LocalModel[]) => Promise<boolean>;
	unpinModel?: (model: LocalModel) => Promise<void>;
	/** Monotonic clock for speeds (ms). */
	now?: () => number;
	/** Wall clock (`Date.now`), the engine's clock for retry times. */
	wallNow?: () => number;
	/** How often speeds and countdowns are recomputed while something downloads. */
	tickMs?: number;
}

const browserDeps: DownloadsDeps = {
	backend: () => new ServiceWorkerDownloadClient(),
	listModels: listLocalModels,
	storageStatus,
	requestPersistence: requestPersistentStorage,
	loadConcurrency,
	saveConcurrency,
	hasBackgroundFetch,
	pinModels: pinMissing,
	unpinModel: unpinLocalModel
};

/** Speed is measured over this window. */
const SPEED_WINDOW_MS = 5000;

/**
 * Downloads and local models, for the UI: jobs as the service worker reports them (every tab gets
 * the same events), speed and ETA, the models on this device, and storage use.
 */
export class DownloadsStore {
	readonly #deps: DownloadsDeps;
	readonly #now: () => number;
	readonly #wallNow: () => number;
	#backend: DownloadBackend | null = null;
	#jobs = $state<DownloadJobSnapshot[]>([]);
	#models = $state<LocalModel[]>([]);
	#storage = $state<StorageStatus | null>(null);
	#requestErrors = $state<Record<string, SerializedAppError>>({});
	/** Clock readings taken at each tick, so speeds and countdowns follow the time. */
	#clock = $state(0);
	#wallClock = $state(0);
	#loaded = $state(false);
	#concurrency = $state(DEFAULT_DOWNLOAD_SETTINGS.concurrency);
	// Plain bookkeeping, not state (read through the clock).
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#rates = new Map<string, ByteRate>();
	#ticker: ReturnType<typeof setInterval> | null = null;
	#users = 0;
	#modelsTicket = 0;
	#unsubscribe: () => void = () => {};

	constructor(deps: Partial<DownloadsDeps> = {}) {
		this.#deps = { ...browserDeps, ...deps };
		this.#now = this.#deps.now ?? (() => performance.now());
		this.#wallNow = this.#deps.wallNow ?? Date.now;
		this.#clock = this.#now();
		this.#wallClock = this.#wallNow();
	}

	get jobs(): readonly DownloadJobSnapshot[] {
		return this.#jobs;
	}
	/** Jobs not finished (finished ones are models). */
	get activeJobs(): readonly DownloadJobSnapshot[] {
		return this.#jobs.filter((job) => job.state !== 'done' && job.state !== 'cancelled');
	}
	get models(): readonly LocalModel[] {
		return this.#models;
	}
	get storage(): StorageStatus | null {
		return this.#storage;
	}
	get loaded(): boolean {
		return this.#loaded;
	}

	job(id: string): DownloadJobSnapshot | undefined {
		return this.#jobs.find((job) => job.id === id);
	}
	model(id: string): LocalModel | undefined {
		return this.#models.find((model) => model.id === id);
	}
	/** The error of a refused request (e.g. not enough storage) or of a failed job. */
	error(id: string): SerializedAppError | null {
		return this.#requestErrors[id] ?? this.job(id)?.error ?? null;
	}
	/** Bytes per second over the last few seconds (0 when nothing arrived lately). */
	speed(id: string): number {
		if (this.job(id)?.state !== 'downloading') return 0;
		return this.#rates.get(id)?.speed(this.#clock) ?? 0;
	}
	/** Milliseconds since bytes of this download last arrived. */
	idleFor(id: string): number {
		if (this.job(id)?.state !== 'downloading') return 0;
		return this.#rates.get(id)?.idleFor(this.#clock) ?? 0;
	}
	/** The row's words and figures: real state (waiting, retrying), recent speed, ETA. */
	status(id: string): DownloadStatus | null {
		const job = this.job(id);
		if (!job) return null;
		return describeDownload(job, {
			speed: this.speed(id),
			idleMs: this.idleFor(id),
			now: this.#wallClock
		});
	}
	/** Re-reads the clocks (the ticker does this every `tickMs` while something downloads). */
	tick(): void {
		this.#clock = this.#now();
		this.#wallClock = this.#wallNow();
	}
	/** Seconds left at the current speed; null when unknown. */
	eta(id: string): number | null {
		const job = this.job(id);
		const speed = this.speed(id);
		if (!job || speed <= 0) return null;
		return Math.max(0, (job.totalBytes - job.receivedBytes) / speed);
	}

	#client(): DownloadBackend {
		return (this.#backend ??= this.#deps.backend());
	}

	/**
	 * Subscribes to the engine and loads jobs, models and storage. Components call it when they
	 * mount (`$effect(() => downloads.start())`); the subscription lasts while any of them is mounted.
	 */
	start(): () => void {
		if (this.#users++ === 0) {
			try {
				this.#unsubscribe = this.#client().subscribe((event) => this.#onEvent(event));
			} catch {
				// No service worker here: models can still be listed.
			}
		}
		void this.refresh();
		let stopped = false;
		return () => {
			if (stopped) return;
			stopped = true;
			if (--this.#users === 0) {
				this.#unsubscribe();
				this.#unsubscribe = () => {};
				this.#setTicker(false);
			}
		};
	}

	async refresh(): Promise<void> {
		const ticket = ++this.#modelsTicket;
		const [jobs, models, storage, concurrency] = await Promise.allSettled([
			Promise.resolve().then(() => this.#client().list()),
			this.#deps.listModels(),
			this.#deps.storageStatus(),
			this.#deps.loadConcurrency()
		]);
		if (concurrency.status === 'fulfilled') this.#concurrency = concurrency.value;
		if (jobs.status === 'fulfilled') this.#setJobs(jobs.value);
		if (models.status === 'fulfilled') this.#setModels(models.value, ticket);
		if (storage.status === 'fulfilled') this.#storage = storage.value;
		this.#loaded = true;
	}

	async refreshModels(): Promise<void> {
		const ticket = ++this.#modelsTicket;
		const [models, storage] = await Promise.allSettled([
			this.#deps.listModels(),
			this.#deps.storageStatus()
		]);
		if (models.status === 'fulfilled') this.#setModels(models.value, ticket);
		if (storage.status === 'fulfilled') this.#storage = storage.value;
	}

	/** Keeps the newest list: a slow `refresh()` (waiting on the service worker) must not undo a later one. */
	#setModels(models: LocalModel[], ticket: number): void {
		if (ticket !== this.#modelsTicket) return;
		this.#models = models;
		void this.#deps
			.pinModels?.(models)
			.then((pinned) => (pinned ? this.refreshModels() : undefined))
			.catch(() => {});
	}

	/** Starts (or joins) a variant download. Errors are kept for that variant and rethrown. */
	async download(request: DownloadRequest, id: string): Promise<void> {
		this.#clearError(id);
		// Ask for persistent storage from the page (service workers cannot); it is only a request.
		void this.requestPersistence().catch(() => {});
		await this.#act(id, () => this.#client().start(request));
	}
	/** Hands a running download to the browser (Background Fetch), which goes on with Citrate closed. */
	toBackground(id: string) {
		return this.#act(id, () => this.#client().toBackground(id));
	}
	/** Whether the browser can carry downloads with every tab closed (Background Fetch). */
	get backgroundSupported(): boolean {
		return this.#deps.hasBackgroundFetch?.() ?? false;
	}
	pause(id: string) {
		return this.#act(id, () => this.#client().pause(id));
	}
	resume(id: string) {
		this.#clearError(id);
		return this.#act(id, () => this.#client().resume(id));
	}
	retry(id: string) {
		this.#clearError(id);
		return this.#act(id, () => this.#client().retry(id));
	}
	cancel(id: string) {
		return this.#act(id, () => this.#client().cancel(id));
	}
	async deleteModel(id: string): Promise<void> {
		const model = this.#models.find((candidate) => candidate.id === id);
		await this.#act(id, () => this.#client().deleteModel(id));
		if (model) await this.#deps.unpinModel?.(model).catch(() => {});
		await this.refreshModels();
	}
	get concurrency(): number {
		return this.#concurrency;
	}
	async setConcurrency(value: number): Promise<void> {
		await this.#deps.saveConcurrency(value);
		this.#concurrency = value;
		await this.#act('settings', () => this.#client().setConcurrency(value));
	}

	async requestPersistence(): Promise<boolean> {
		const granted = await this.#deps.requestPersistence();
		if (this.#storage) this.#storage = { ...this.#storage, persisted: granted };
		else await this.refreshModels();
		return granted;
	}

	async #act(id: string, action: () => Promise<DownloadJobSnapshot[]>): Promise<void> {
		try {
			this.#setJobs(await action());
		} catch (error) {
			const appError = toAppError(error);
			this.#requestErrors = { ...this.#requestErrors, [id]: appError.toJSON() };
			throw appError;
		}
	}

	#clearError(id: string): void {
		if (!(id in this.#requestErrors)) return;
		const { [id]: _removed, ...rest } = this.#requestErrors;
		this.#requestErrors = rest;
	}

	#setJobs(jobs: DownloadJobSnapshot[]): void {
		for (const job of jobs) this.#sample(job);
		this.#jobs = jobs;
		this.#updateTicker();
	}

	#updateTicker(): void {
		this.#setTicker(this.#users > 0 && this.#jobs.some((job) => job.state === 'downloading'));
	}

	#setTicker(on: boolean): void {
		if (on && this.#ticker === null)
			this.#ticker = setInterval(() => this.tick(), this.#deps.tickMs ?? 1000);
		else if (!on && this.#ticker !== null) {
			clearInterval(this.#ticker);
			this.#ticker = null;
		}
	}

	#onEvent(event: DownloadEvent): void {
		if (event.type === 'modelsChanged') {
			void this.refreshModels();
			return;
		}
		if (event.type === 'removed') {
			this.#jobs = this.#jobs.filter((job) => job.id !== event.id);
			this.#rates.delete(event.id);
			this.#updateTicker();
			return;
		}
		const job = event.job;
		this.#sample(job);
		const index = this.#jobs.findIndex((existing) => existing.id === job.id);
		if (index === -1) this.#jobs = [...this.#jobs, job];
		else if (this.#jobs[index]!.updatedAt <= job.updatedAt || event.type === 'progress')
			this.#jobs[index] = job;
		if (job.state === 'failed' || job.state === 'done') this.#clearError(job.id);
		this.#updateTicker();
	}

	#sample(job: DownloadJobSnapshot): void {
		if (job.state !== 'downloading') {
			this.#rates.delete(job.id);
			return;
		}
		let rate = this.#rates.get(job.id);
		if (!rate) this.#rates.set(job.id, (rate = new ByteRate(SPEED_WINDOW_MS)));
		rate.add(this.#now(), job.receivedBytes);
		this.tick();
	}
}

/** `getDownloads()` in components; the root layout calls `setDownloads(new DownloadsStore())`. */
export const [getDownloads, setDownloads] = createContext<DownloadsStore>();
