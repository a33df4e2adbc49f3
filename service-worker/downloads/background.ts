/// <reference lib="webworker" />
import type { DownloadEngine } from '$lib/downloads/engine';
import { resolveUrl } from '$lib/downloads/http';
import { AppError } from '$lib/errors';
import type { BackgroundFile, BackgroundPlan, BackgroundStandby } from '$lib/downloads/types';
import type { BackgroundTransfer } from '$lib/storage/types';

/**
 * Background Fetch carries a download with every tab closed: the browser fetches the remaining
 * bytes of each unfinished file (one `Range` request per file, from its last committed byte) and
 * wakes this worker when they are in; the engine then streams them into the file's OPFS segments,
 * continuing the saved SHA-256 state, verifies and registers the model. Requests go to the
 * resolved CDN URL only, never with the token (Background Fetch would forward an `Authorization`
 * header across the Hub's redirect). A failed or aborted background fetch gives the job back to
 * the engine, reason shown.
 *
 * Chromium refuses `backgroundFetch.fetch()` in a service worker ("not allowed in service worker
 * environments"), so the page starts it: it asks for a plan here (`prepare`: the engine stops and
 * commits, the URLs are resolved), then hands the plan to the browser.
 */

/** The parts of the Background Fetch API used here (TypeScript's DOM lib has none). */
interface BackgroundFetchRegistration extends EventTarget {
	readonly id: string;
	readonly downloaded: number;
	readonly downloadTotal: number;
	readonly failureReason: string;
	abort(): Promise<boolean>;
	matchAll(): Promise<{ request: Request; responseReady: Promise<Response> }[]>;
}
interface BackgroundFetchManager {
	fetch(
		id: string,
		requests: Request[],
		options?: { title?: string; downloadTotal?: number }
	): Promise<BackgroundFetchRegistration>;
	get(id: string): Promise<BackgroundFetchRegistration | undefined>;
}
interface BackgroundFetchEvent extends ExtendableEvent {
	readonly registration: BackgroundFetchRegistration;
	updateUI?(options: { title?: string }): Promise<void>;
}

const PREFIX = 'citrate-download:';
/** How long the page has to start a prepared background fetch. */
const START_TIMEOUT_MS = 20_000;
/**
 * A page that comes back this soon after the last one handed its downloads to Background Fetch
 * as it went away (a reload, a full-page link) gives them back to the engine.
 */
const RECLAIM_MS = 15_000;

export interface BackgroundDeps {
	hubUrl: string;
	authHeaders: (url: string) => Promise<Record<string, string>>;
	estimate: () => Promise<{ usage?: number; quota?: number }>;
	/** Resolves once the engine holds its lock and loaded its jobs. */
	ready: Promise<void>;
}

export interface BackgroundDownloads {
	readonly supported: boolean;
	/** Stops the engine on a job and returns what the page asks Background Fetch for. */
	prepare(jobId: string): Promise<BackgroundPlan | null>;
	/** The page started the background fetch: follow its progress. */
	started(jobId: string): Promise<void>;
	/** The page could not start it: the engine takes the job back, reason shown. */
	failed(jobId: string, why: string): Promise<void>;
	/** Stops the background fetch of a job (the engine pauses or cancels the job itself). */
	abort(jobId: string): Promise<void>;
	/** What a page keeps ready to hand a running job over as it goes away (null: nothing to). */
	standby(jobId: string): Promise<BackgroundStandby | null>;
	/** The last page (`sender`) went away and started a background fetch for a job. */
	handedOver(
		jobId: string,
		fetchId: string,
		files: BackgroundFile[],
		sender?: string
	): Promise<void>;
	/** A page is here: a job its tab handed over moments ago (a reload) comes back to the engine. */
	pageSeen(): Promise<void>;
}

const FAILURE_TEXT: Record<string, string> = {
	aborted: 'it was cancelled in the browser',
	'bad-status': 'the server refused a request (an expired link?)',
	'fetch-error': 'the network failed or the browser was closed',
	'quota-exceeded': 'the browser ran out of storage for it',
	'download-total-exceeded': 'the server sent more than expected'
};

function reasonOf(registration: BackgroundFetchRegistration): string {
	return FAILURE_TEXT[registration.failureReason] ?? 'the browser stopped it';
}

export function installBackgroundFetch(
	sw: ServiceWorkerGlobalScope,
	engine: DownloadEngine,
	deps: BackgroundDeps
): BackgroundDownloads {
	const manager = (sw.registration as unknown as { backgroundFetch?: BackgroundFetchManager })
		.backgroundFetch;
	if (!manager) {
		const refuse = async () => {
			throw new AppError(
				'DOWNLOAD_INVALID_REQUEST',
				'This browser cannot download in the background.'
			);
		};
		return {
			supported: false,
			prepare: refuse,
			started: refuse,
			failed: refuse,
			abort: async () => {},
			standby: async () => null,
			handedOver: refuse,
			pageSeen: async () => {}
		};
	}

	const jobIdOf = (fetchId: string) =>
		fetchId.startsWith(PREFIX) ? fetchId.slice(PREFIX.length) : null;
	const watch = (registration: BackgroundFetchRegistration) => {
		const id = jobIdOf(registration.id);
		if (!id) return;
		registration.addEventListener('progress', () =>
			engine.background.progress(id, registration.downloaded)
		);
		engine.background.progress(id, registration.downloaded);
	};

	/** The CDN URL a file resolves to (the token goes to the Hub only; fetch drops it on redirect). */
	async function cdnUrl(repoId: string, revision: string, path: string): Promise<string> {
		const url = resolveUrl(deps.hubUrl, repoId, revision, path);
		const response = await fetch(url, {
			method: 'HEAD',
			headers: await deps.authHeaders(url),
			credentials: 'omit',
			cache: 'no-store',
			redirect: 'follow'
		});
		if (!response.ok) throw new Error(`the Hub answered ${response.status}`);
		return response.url;
	}

	/** Stops the engine on a job and says what Background Fetch must fetch; null: nothing to. */
	async function prepare(id: string): Promise<BackgroundPlan | null> {
		await deps.ready;
		const before = (await engine.list()).find((job) => job.id === id);
		if (!before || (before.state !== 'queued' && before.state !== 'downloading')) return null;
		// Resolve while the engine still downloads, so nothing waits in between.
		const urls = new Map<string, string>();
		for (const shard of before.shards)
			if (shard.state !== 'done')
				urls.set(shard.path, await cdnUrl(before.repoId, before.revision, shard.path));
		const job = await engine.background.handOff(id);
		if (!job) return null;
		const files = job.shards
			.filter((shard) => shard.state !== 'done' && shard.committed < shard.size)
			.map((shard) => ({ path: shard.path, url: urls.get(shard.path)!, start: shard.committed }));
		const downloadTotal = files.reduce(
			(sum, file) => sum + job.shards.find((s) => s.path === file.path)!.size - file.start,
			0
		);
		try {
			if (files.length === 0) throw new Error('nothing is left to fetch');
			const estimate = await deps
				.estimate()
				.catch(() => ({}) as { usage?: number; quota?: number });
			// The browser keeps what it fetches until this worker moves it to OPFS.
			if (estimate.quota !== undefined && downloadTotal > estimate.quota - (estimate.usage ?? 0))
				throw new Error('there is not enough storage to hold the rest until it is saved');
		} catch (error) {
			await failed(id, error instanceof Error ? error.message : String(error));
			return null;
		}
		const transfer: BackgroundTransfer = { fetchId: PREFIX + id, files, startedAt: Date.now() };
		await engine.background.started(id, transfer);
		// A page that went away before starting it leaves no fetch: the engine takes the job back.
		setTimeout(() => {
			void manager!.get(transfer.fetchId).then(async (registration) => {
				if (!registration) await failed(id, 'the page closed before the browser took it');
			});
		}, START_TIMEOUT_MS);
		return {
			fetchId: transfer.fetchId,
			title: `${job.repoId} ${job.variantLabel}`,
			downloadTotal,
			files
		};
	}

	/** Resolved CDN URLs per job and file, for the page's standby (signed URLs last hours). */
	const standbyUrls = new Map<string, Map<string, string>>();

	async function standby(id: string): Promise<BackgroundStandby | null> {
		await deps.ready;
		const job = (await engine.list()).find((candidate) => candidate.id === id);
		if (!job || (job.state !== 'queued' && job.state !== 'downloading')) {
			standbyUrls.delete(id);
			return null;
		}
		const urls = standbyUrls.get(id) ?? new Map<string, string>();
		standbyUrls.set(id, urls);
		const files: BackgroundStandby['files'] = [];
		for (const shard of job.shards) {
			if (shard.state === 'done') continue;
			let url = urls.get(shard.path);
			if (!url) urls.set(shard.path, (url = await cdnUrl(job.repoId, job.revision, shard.path)));
			files.push({ path: shard.path, url, size: shard.size });
		}
		return { fetchId: PREFIX + id, title: `${job.repoId} ${job.variantLabel}`, files };
	}

	/**
	 * The last page went away and asked the browser for the rest of the job itself (it cannot wait
	 * for a reply then). The engine stops, committing what arrived; each response may start a
	 * little before the committed byte (the page knew the progress of a moment ago): the engine
	 * passes over what it saved. A fetch the browser never started gives the job back.
	 */
	async function handedOver(
		id: string,
		fetchId: string,
		files: BackgroundFile[],
		sender?: string
	): Promise<void> {
		await deps.ready;
		standbyUrls.delete(id);
		const job =
			fetchId === PREFIX + id
				? await engine.background.handOff(id, { dropUncommitted: true })
				: null;
		if (!job) {
			// Not running any more (paused, cancelled, done): the browser must not carry it.
			setTimeout(() => void abortFetch(fetchId), 2_000);
			return;
		}
		const transfer: BackgroundTransfer = { fetchId, files, startedAt: Date.now() };
		await engine.background.started(id, transfer);
		const registration = await waitForFetch(fetchId);
		if (!registration) return failed(id, 'the browser did not take it as the page closed');
		watch(registration);
		handedAt.set(id, Date.now());
		const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
		if (windows.some((client) => client.id !== sender)) await reclaim(id);
	}

	/** When the last page handed each job over: a page back within `RECLAIM_MS` takes it back. */
	const handedAt = new Map<string, number>();

	/** The engine takes a job back from the fetch its last page started (nothing is lost). */
	async function reclaim(id: string): Promise<void> {
		handedAt.delete(id);
		await engine.background.ended(id, null);
		await abortFetch(PREFIX + id);
	}

	async function pageSeen(): Promise<void> {
		for (const [id, at] of [...handedAt])
			if (Date.now() - at < RECLAIM_MS) await reclaim(id);
			else handedAt.delete(id);
	}

	/** The background fetch once the browser registered it (a page's `fetch()` may still run). */
	async function waitForFetch(fetchId: string): Promise<BackgroundFetchRegistration | null> {
		const until = Date.now() + START_TIMEOUT_MS;
		for (;;) {
			const registration = await manager!.get(fetchId);
			if (registration || Date.now() > until) return registration ?? null;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	async function abortFetch(fetchId: string): Promise<void> {
		const registration = await manager!.get(fetchId);
		await registration?.abort().catch(() => false);
	}

	async function failed(id: string, why: string): Promise<void> {
		await engine.background.ended(
			id,
			new AppError(
				'DOWNLOAD_NETWORK',
				`The browser could not carry this download in the background (${why}); it goes on while Citrate is open.`
			)
		);
	}

	/** The job a background fetch carries, with the response Background Fetch brought per file. */
	async function broughtBy(event: BackgroundFetchEvent) {
		await deps.ready;
		const id = jobIdOf(event.registration.id);
		if (!id) return null;
		const job = (await engine.background.jobs()).find((candidate) => candidate.id === id);
		if (!job?.background) return null;
		const pathOf = new Map(job.background.files.map((file) => [file.url, file.path]));
		const responses = new Map<string, Response>();
		for (const record of await event.registration.matchAll()) {
			const path = pathOf.get(record.request.url);
			// A request that failed has no response (its promise rejects).
			const response = path ? await record.responseReady.catch(() => null) : null;
			if (path && response) responses.set(path, response);
		}
		return { id, job, responses };
	}

	async function finish(event: BackgroundFetchEvent): Promise<void> {
		const brought = await broughtBy(event);
		if (!brought) return;
		const { id, job, responses } = brought;
		const result = await engine.background.adopt(id, responses);
		await event
			.updateUI?.({
				title:
					result.state === 'done'
						? `${job.variantLabel}: ready to chat`
						: `${job.variantLabel}: the download failed, open Citrate`
			})
			.catch(() => {});
	}

	/**
	 * The CDN refused a request (`bad-status`; a 403: the signed URL expired). The files whose
	 * responses came in whole continue from them; the engine fetches the others from their
	 * committed byte, each through a fresh resolve at the Hub (the token goes to the Hub only, the
	 * redirect to the new signed URL drops it). The event stays open until the job is done, so it
	 * finishes with every page closed (within the browser's time limit for an event; past it, the
	 * engine resumes at the next start).
	 */
	async function refused(event: BackgroundFetchEvent): Promise<void> {
		const brought = await broughtBy(event);
		if (!brought) return;
		const { id, job, responses } = brought;
		const whole = new Map([...responses].filter(([, response]) => response.ok));
		const expired = [...responses.values()].some((response) => response.status === 403);
		for (const [path, response] of responses)
			if (!whole.has(path)) await response.body?.cancel().catch(() => {});
		const result = await engine.background.adopt(
			id,
			whole,
			new AppError(
				'DOWNLOAD_NETWORK',
				expired
					? 'The download link expired during the background download: Citrate asked the Hub for a new one and goes on from the last saved byte.'
					: `The background download stopped (${reasonOf(event.registration)}); Citrate goes on from the last saved byte.`
			)
		);
		await event
			.updateUI?.({
				title:
					result.state === 'done'
						? `${job.variantLabel}: ready to chat`
						: `${job.variantLabel}: the download stopped, open Citrate`
			})
			.catch(() => {});
	}

	sw.addEventListener('backgroundfetchsuccess', (event) => {
		(event as BackgroundFetchEvent).waitUntil(finish(event as BackgroundFetchEvent));
	});
	/** A background fetch that did not succeed gives its job back to the engine, saying why. */
	function endWith(
		event: Event,
		error: (registration: BackgroundFetchRegistration) => AppError,
		state?: 'paused'
	) {
		const { registration } = event as BackgroundFetchEvent;
		const id = jobIdOf(registration.id);
		if (!id) return;
		(event as BackgroundFetchEvent).waitUntil(
			engine.background.ended(id, error(registration), state)
		);
	}

	sw.addEventListener('backgroundfetchfail', (event) => {
		const fetchEvent = event as BackgroundFetchEvent;
		if (fetchEvent.registration.failureReason === 'bad-status')
			return fetchEvent.waitUntil(refused(fetchEvent));
		endWith(
			event,
			(registration) =>
				new AppError(
					'DOWNLOAD_NETWORK',
					`The background download stopped (${reasonOf(registration)}); Citrate resumed it from the last saved byte.`
				)
		);
	});
	sw.addEventListener('backgroundfetchabort', (event) =>
		endWith(
			event,
			() =>
				new AppError(
					'DOWNLOAD_CANCELLED',
					'The background download was cancelled in the browser. Resume goes on from the last saved byte.'
				),
			'paused'
		)
	);
	sw.addEventListener('backgroundfetchclick', (event) => {
		(event as BackgroundFetchEvent).waitUntil(sw.clients.openWindow('/library').then(() => {}));
	});

	// At start: follow the background fetches still running; give back jobs whose fetch is gone
	// (the browser was closed mid-way: it ends them without an event we could see).
	void deps.ready.then(async () => {
		for (const job of await engine.background.jobs()) {
			const registration = await manager.get(PREFIX + job.id);
			if (registration) watch(registration);
			else
				await engine.background.ended(
					job.id,
					new AppError(
						'DOWNLOAD_NETWORK',
						'The background download stopped (the browser was closed); Citrate resumed it from the last saved byte.'
					)
				);
		}
	});

	return {
		supported: true,
		prepare,
		async started(id) {
			const registration = await manager.get(PREFIX + id);
			if (registration) watch(registration);
		},
		failed,
		async abort(jobId) {
			const registration = await manager.get(PREFIX + jobId);
			await registration?.abort().catch(() => false);
		},
		standby,
		handedOver,
		pageSeen
	};
}
