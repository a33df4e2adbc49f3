import {
	DOWNLOAD_MESSAGE_TAG,
	type BackgroundFile,
	type BackgroundStandby,
	type DownloadCommand,
	type DownloadCommandMessage,
	type DownloadJobSnapshot
} from './types';

/**
 * Hands running downloads to Background Fetch when the last Citrate page goes away (Chromium).
 *
 * Only a page can start a background fetch (Chromium refuses it in a service worker), and a page
 * that goes away can no longer wait for anything: `pagehide` runs, then the document is gone.
 * So each page keeps, for every running job, what the browser would need (`BackgroundStandby`:
 * the resolved CDN URLs, asked of the worker once) and the bytes committed so far (the job's
 * progress events). On `pagehide`, when no other Citrate page is open, it asks the browser for
 * the rest of each file at once, without awaiting anything, and tells the worker, which stops
 * the engine (measured in headless Chromium 156: a `fetch()` called in `pagehide` is registered
 * even when the page is closed; a `visibilitychange` to hidden does not come on a close).
 *
 * The other pages are known through a `BroadcastChannel` (hello / here / bye).
 */

const PRESENCE_CHANNEL = 'citrate-pages';

type Presence = { type: 'hello' | 'here' | 'bye'; page: string };

/** The parts of the Background Fetch API used here (TypeScript's DOM lib has none). */
interface BackgroundFetchRegistrationLike extends ServiceWorkerRegistration {
	backgroundFetch?: {
		fetch(
			id: string,
			requests: Request[],
			options: { title: string; downloadTotal: number }
		): Promise<unknown>;
	};
}

export interface AutoHandoverDeps {
	/** The service worker's registration, once ready. */
	registration: Promise<ServiceWorkerRegistration>;
	/** Asks the worker for a job's standby (null: nothing to hand over). */
	standby: (id: string) => Promise<BackgroundStandby | null>;
	/** The window whose `pagehide` / `pageshow` it follows. */
	target: Pick<Window, 'addEventListener'>;
	/** The channel the pages of the origin announce themselves on. */
	channel?: () => BroadcastChannel;
	/** This page's id on the channel. */
	pageId?: string;
}

const RUNNING = new Set(['queued', 'downloading']);

/** The requests that carry the rest of a job: each unfinished file from its committed byte. */
export function backgroundFilesOf(
	job: DownloadJobSnapshot,
	standby: BackgroundStandby
): BackgroundFile[] {
	const files: BackgroundFile[] = [];
	for (const file of standby.files) {
		const shard = job.shards.find((candidate) => candidate.path === file.path);
		if (!shard || shard.state === 'done' || shard.committed >= file.size) continue;
		files.push({ path: file.path, url: file.url, start: shard.committed });
	}
	return files;
}

const STANDBY_RETRY_MS = 5_000;
const STANDBY_RETRY_MAX_MS = 60_000;

/**
 * Whether the standby may be asked for: the engine's own requests go through (bytes arrived, no
 * wait for a busy Hub or a lost network), so resolving once more for the standby adds one request
 * to a Hub that answers, never to one the engine is backing off from.
 */
function flowing(job: DownloadJobSnapshot): boolean {
	return job.state === 'downloading' && !job.waiting && job.receivedBytes > 0;
}

export class AutoHandover {
	readonly #deps: AutoHandoverDeps;
	readonly #pageId: string;
	readonly #others = new Set<string>();
	readonly #jobs = new Map<string, DownloadJobSnapshot>();
	readonly #standby = new Map<string, BackgroundStandby>();
	readonly #asking = new Set<string>();
	/** After a failed ask (the Hub busy or unreachable): not before this time, per job. */
	readonly #askAfter = new Map<string, { at: number; delayMs: number }>();
	#registration: BackgroundFetchRegistrationLike | null = null;
	#channel: BroadcastChannel | null = null;

	constructor(deps: AutoHandoverDeps) {
		this.#deps = deps;
		this.#pageId = deps.pageId ?? crypto.randomUUID();
		void deps.registration.then(
			(registration) => (this.#registration = registration),
			() => {}
		);
		try {
			this.#channel = (deps.channel ?? (() => new BroadcastChannel(PRESENCE_CHANNEL)))();
			this.#channel.onmessage = (event: MessageEvent<Presence>) => this.#onPresence(event.data);
		} catch {
			// No channel: this page counts itself alone.
		}
		this.#announce('hello');
		deps.target.addEventListener('pagehide', () => this.#pageHide());
		deps.target.addEventListener('pageshow', (event) => {
			if ((event as PageTransitionEvent).persisted) this.#announce('hello');
		});
	}

	/** Other Citrate pages open now (as far as this one knows). */
	get otherPages(): number {
		return this.#others.size;
	}

	/** The latest snapshot of every job: the standby is asked for while a job runs. */
	observe(jobs: readonly DownloadJobSnapshot[], removed?: string): void {
		if (removed) this.#forget(removed);
		for (const job of jobs) {
			if (!RUNNING.has(job.state)) {
				this.#forget(job.id);
				continue;
			}
			this.#jobs.set(job.id, job);
			if (this.#standby.has(job.id) || this.#asking.has(job.id) || !flowing(job)) continue;
			const after = this.#askAfter.get(job.id);
			if (after && Date.now() < after.at) continue;
			void this.#ask(job.id);
		}
	}

	async #ask(id: string): Promise<void> {
		this.#asking.add(id);
		try {
			const standby = await this.#deps.standby(id);
			if (standby && this.#jobs.has(id)) this.#standby.set(id, standby);
			this.#askAfter.delete(id);
		} catch {
			// Each resolve is a request to the Hub: asked again later, less often each time.
			const delayMs = Math.min(
				STANDBY_RETRY_MAX_MS,
				(this.#askAfter.get(id)?.delayMs ?? STANDBY_RETRY_MS / 2) * 2
			);
			this.#askAfter.set(id, { at: Date.now() + delayMs, delayMs });
		} finally {
			this.#asking.delete(id);
		}
	}

	#forget(id: string): void {
		this.#jobs.delete(id);
		this.#standby.delete(id);
		this.#askAfter.delete(id);
	}

	#onPresence(message: Presence): void {
		if (!message || message.page === this.#pageId) return;
		if (message.type === 'bye') this.#others.delete(message.page);
		else this.#others.add(message.page);
		if (message.type === 'hello') this.#announce('here');
	}

	#announce(type: Presence['type']): void {
		try {
			this.#channel?.postMessage({ type, page: this.#pageId } satisfies Presence);
		} catch {
			// The channel is closed.
		}
	}

	/** Nothing here may await: the document is gone right after this handler. */
	#pageHide(): void {
		if (this.#handOver() > 0) holdTheDocument(HOLD_MS);
	}

	/** Starts a background fetch for each running job; returns how many it started. */
	#handOver(): number {
		let started = 0;
		this.#announce('bye');
		if (this.#others.size > 0) return 0;
		const registration = this.#registration;
		const manager = registration?.backgroundFetch;
		const worker = registration?.active;
		if (!manager || !worker) return 0;
		for (const [id, job] of this.#jobs) {
			const standby = this.#standby.get(id);
			if (!standby) continue;
			const files = backgroundFilesOf(job, standby);
			if (files.length === 0) continue;
			const downloadTotal = files.reduce(
				(sum, file) =>
					sum + (standby.files.find((f) => f.path === file.path)?.size ?? 0) - file.start,
				0
			);
			void manager
				.fetch(
					standby.fetchId,
					files.map(
						(file) =>
							new Request(file.url, {
								mode: 'cors',
								credentials: 'omit',
								headers: file.start > 0 ? { Range: `bytes=${file.start}-` } : {}
							})
					),
					{ title: standby.title, downloadTotal }
				)
				.catch((error: unknown) => {
					// Only if this document lives long enough to hear it: the worker then gives the job
					// back to the engine at once, with the browser's reason, instead of after its wait.
					const failed: DownloadCommand = {
						op: 'backgroundFailed',
						id,
						message: error instanceof Error ? error.message : String(error)
					};
					worker.postMessage({
						tag: DOWNLOAD_MESSAGE_TAG,
						command: failed
					} satisfies DownloadCommandMessage);
				});
			const command: DownloadCommand = {
				op: 'handedOver',
				id,
				fetchId: standby.fetchId,
				files
			};
			worker.postMessage({ tag: DOWNLOAD_MESSAGE_TAG, command } satisfies DownloadCommandMessage);
			started++;
		}
		return started;
	}
}

/**
 * How long a closing page that started a background fetch stays before it lets the browser tear
 * it down. Blink sends the request to the browser at once, but the browser may drop it when the
 * document is gone before it was taken: in a CI run of 2026-12-01 the worker waited 20 s for a
 * fetch the browser never listed, after a close. Closing a tab is this much slower, only then.
 */
const HOLD_MS = 100;

/** Keeps the document alive for `ms` (a `pagehide` handler can only block, not wait). */
function holdTheDocument(ms: number): void {
	const until = performance.now() + ms;
	while (performance.now() < until) {
		// Busy on purpose: nothing can be scheduled after `pagehide`.
	}
}
