import { AppError } from '../errors';
import { AutoHandover } from './auto-handover';
import {
	DOWNLOAD_MESSAGE_TAG,
	isDownloadEventMessage,
	type DownloadCommand,
	type DownloadCommandMessage,
	type DownloadEvent,
	type DownloadJobSnapshot,
	type DownloadReply,
	type DownloadRequest
} from './types';

/** What the UI needs from the download engine (the service worker, or a fake in tests). */
export interface DownloadBackend {
	start(request: DownloadRequest): Promise<DownloadJobSnapshot[]>;
	pause(id: string): Promise<DownloadJobSnapshot[]>;
	resume(id: string): Promise<DownloadJobSnapshot[]>;
	retry(id: string): Promise<DownloadJobSnapshot[]>;
	cancel(id: string): Promise<DownloadJobSnapshot[]>;
	deleteModel(id: string): Promise<DownloadJobSnapshot[]>;
	setConcurrency(value: number): Promise<DownloadJobSnapshot[]>;
	list(): Promise<DownloadJobSnapshot[]>;
	/** Hands a running job to the browser's Background Fetch. */
	toBackground(id: string): Promise<DownloadJobSnapshot[]>;
	subscribe(listener: (event: DownloadEvent) => void): () => void;
}

export interface ServiceWorkerClientOptions {
	/** How often pages ping the worker while something downloads (it stops 30 s after its last event). */
	keepAliveMs?: number;
	/** How long to wait for a service worker / a reply. */
	timeoutMs?: number;
	container?: ServiceWorkerContainer;
	/**
	 * Hand running downloads to Background Fetch when the last Citrate page goes away (default:
	 * where the browser has Background Fetch and this is a page).
	 */
	autoHandover?: boolean;
}

const ACTIVE = new Set(['queued', 'downloading', 'background', 'verifying']);

/** True where the browser can carry downloads with every tab closed (Chromium). */
export function hasBackgroundFetch(): boolean {
	return typeof globalThis !== 'undefined' && 'BackgroundFetchManager' in globalThis;
}

/** Talks to the download engine in the service worker. */
export class ServiceWorkerDownloadClient implements DownloadBackend {
	readonly #container: ServiceWorkerContainer;
	readonly #keepAliveMs: number;
	readonly #timeoutMs: number;
	readonly #listeners = new Set<(event: DownloadEvent) => void>();
	readonly #active = new Set<string>();
	#timer: ReturnType<typeof setInterval> | null = null;
	#listening = false;
	readonly #auto: AutoHandover | null = null;

	constructor(options: ServiceWorkerClientOptions = {}) {
		const container = options.container ?? globalThis.navigator?.serviceWorker;
		if (!container)
			throw new AppError(
				'STORAGE_UNAVAILABLE',
				'Downloads need a service worker, which this browser does not offer here (private window or insecure origin?).'
			);
		this.#container = container;
		this.#keepAliveMs = options.keepAliveMs ?? 10_000;
		this.#timeoutMs = options.timeoutMs ?? 30_000;
		if (options.autoHandover ?? (hasBackgroundFetch() && typeof window !== 'undefined'))
			this.#auto = new AutoHandover({
				registration: container.ready,
				standby: async (id) => (await this.#request({ op: 'standby', id })).standby ?? null,
				target: window
			});
	}

	start(request: DownloadRequest) {
		// Send plain data: a Svelte state proxy cannot be cloned.
		return this.#send({ op: 'start', request: JSON.parse(JSON.stringify(request)) });
	}
	pause(id: string) {
		return this.#send({ op: 'pause', id });
	}
	resume(id: string) {
		return this.#send({ op: 'resume', id });
	}
	retry(id: string) {
		return this.#send({ op: 'retry', id });
	}
	cancel(id: string) {
		return this.#send({ op: 'cancel', id });
	}
	deleteModel(id: string) {
		return this.#send({ op: 'deleteModel', id });
	}
	setConcurrency(value: number) {
		return this.#send({ op: 'setConcurrency', value });
	}
	list() {
		return this.#send({ op: 'list' });
	}

	/**
	 * The worker stops the engine on the job and returns a plan (Chromium lets only pages start a
	 * background fetch); the page asks the browser for it. A refusal gives the job back.
	 */
	async toBackground(id: string): Promise<DownloadJobSnapshot[]> {
		const { jobs, plan } = await this.#request({ op: 'toBackground', id });
		if (!plan) return jobs;
		try {
			const registration = (await this.#container.ready) as ServiceWorkerRegistration & {
				backgroundFetch: {
					fetch(
						id: string,
						requests: Request[],
						options: { title: string; downloadTotal: number }
					): Promise<unknown>;
				};
			};
			await registration.backgroundFetch.fetch(
				plan.fetchId,
				plan.files.map(
					(file) =>
						new Request(file.url, {
							mode: 'cors',
							credentials: 'omit',
							headers: file.start > 0 ? { Range: `bytes=${file.start}-` } : {}
						})
				),
				{ title: plan.title, downloadTotal: plan.downloadTotal }
			);
			return await this.#send({ op: 'backgroundStarted', id });
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			return this.#send({ op: 'backgroundFailed', id, message });
		}
	}

	subscribe(listener: (event: DownloadEvent) => void): () => void {
		this.#listen();
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#listen(): void {
		if (this.#listening) return;
		this.#listening = true;
		this.#container.addEventListener('message', (message: MessageEvent) => {
			if (!isDownloadEventMessage(message.data)) return;
			const event = message.data.event;
			if (event.type === 'removed') this.#track([], event.id);
			else if (event.type !== 'modelsChanged') this.#track([event.job]);
			for (const listener of this.#listeners) listener(event);
		});
		this.#container.startMessages();
	}

	/** Keeps the worker alive with a ping every `keepAliveMs` while a job is active. */
	#track(jobs: DownloadJobSnapshot[], removed?: string, all = false): void {
		this.#auto?.observe(jobs, removed);
		if (all) this.#active.clear();
		if (removed) this.#active.delete(removed);
		for (const job of jobs)
			if (ACTIVE.has(job.state)) this.#active.add(job.id);
			else this.#active.delete(job.id);
		if (this.#active.size > 0 && this.#timer === null)
			this.#timer = setInterval(() => {
				void this.#send({ op: 'ping' }).catch(() => {});
			}, this.#keepAliveMs);
		else if (this.#active.size === 0 && this.#timer !== null) {
			clearInterval(this.#timer);
			this.#timer = null;
		}
	}

	async #worker(): Promise<ServiceWorker> {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() =>
					reject(
						new AppError(
							'STORAGE_UNAVAILABLE',
							'The download service (service worker) did not start. Reload the page and try again.'
						)
					),
				this.#timeoutMs
			);
		});
		try {
			const registration = await Promise.race([this.#container.ready, timeout]);
			const worker = registration.active ?? registration.waiting ?? registration.installing;
			if (!worker) throw new AppError('STORAGE_UNAVAILABLE', 'No service worker is active.');
			return worker;
		} finally {
			clearTimeout(timer);
		}
	}

	async #send(command: DownloadCommand): Promise<DownloadJobSnapshot[]> {
		return (await this.#request(command)).jobs;
	}

	async #request(command: DownloadCommand): Promise<Extract<DownloadReply, { ok: true }>> {
		this.#listen();
		const worker = await this.#worker();
		const channel = new MessageChannel();
		const reply = new Promise<DownloadReply>((resolve, reject) => {
			const timer = setTimeout(() => {
				channel.port1.close();
				reject(
					new AppError('STORAGE_UNAVAILABLE', 'The download service did not answer. Try again.')
				);
			}, this.#timeoutMs);
			channel.port1.onmessage = (event: MessageEvent<DownloadReply>) => {
				clearTimeout(timer);
				channel.port1.close();
				resolve(event.data);
			};
		});
		const message: DownloadCommandMessage = { tag: DOWNLOAD_MESSAGE_TAG, command };
		worker.postMessage(message, [channel.port2]);
		const answer = await reply;
		if (!answer.ok) throw AppError.fromJSON(answer.error);
		this.#track(answer.jobs, undefined, true);
		return answer;
	}
}
