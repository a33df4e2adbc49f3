/**
 * The Background Fetch run of `npm run bench:download`, from the page: a job starts in the bench's
 * service worker (the app's engine), is handed over at once (the engine stops and commits, the
 * CDN URL is resolved), the top-level page starts the background fetch (Chromium allows it from
 * pages only, and moves no byte of one started in the test's iframe), and the worker streams the browser's response into OPFS segments, continuing the saved
 * SHA-256 state, verifies and registers. Every wait is bounded.
 */
import { commands } from 'vitest/browser';
import type { BackgroundPlan, DownloadRequest } from '../src/lib/downloads/types';
import { BENCH_CHANNEL, type BenchCommand, type BenchReport } from './download-protocol';

const SCOPE = '/bench/';
/** The longest any one background run may take (a stuck one fails the bench). */
const RUN_TIMEOUT_MS = 300_000;
/** The longest the worker may take to install and answer. */
const COMMAND_TIMEOUT_MS = 60_000;

interface BackgroundFetchManagerLike {
	get(
		id: string
	): Promise<
		{ result: string; failureReason: string; downloaded: number; downloadTotal: number } | undefined
	>;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout>;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
	});
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface BackgroundRun {
	/** Hand-over (the page asks the worker) → the job registered and verified. */
	seconds: number;
	/** Hand-over → the plan is ready (the engine stopped and committed, the CDN URL resolved). */
	prepareSeconds: number;
	/** The page starts the background fetch → the browser says every byte is in. */
	transferSeconds: number;
	/** Every byte in → streamed into OPFS, hashed, verified, registered. */
	adoptSeconds: number;
	/** Bytes the browser carried (the engine had committed the rest before the hand-over). */
	carriedBytes: number;
	state: string;
}

export class BackgroundBench {
	readonly #registration: ServiceWorkerRegistration;

	private constructor(registration: ServiceWorkerRegistration) {
		this.#registration = registration;
	}

	/** Registers the bench's worker (a module worker served by the bench's Vite server). */
	static async start(hubUrl: string): Promise<BackgroundBench> {
		if (!('BackgroundFetchManager' in globalThis))
			throw new Error('This Chromium has no Background Fetch');
		const script = `/bench/download-sw.ts?hub=${encodeURIComponent(hubUrl)}`;
		const registration = await within(
			navigator.serviceWorker.register(script, { type: 'module', scope: SCOPE }),
			COMMAND_TIMEOUT_MS,
			'registering the bench service worker'
		);
		await within(
			new Promise<void>((resolve) => {
				const check = () =>
					registration.active?.state === 'activated' ? resolve() : setTimeout(check, 50);
				check();
			}),
			COMMAND_TIMEOUT_MS,
			'activating the bench service worker'
		);
		return new BackgroundBench(registration);
	}

	#send<T>(command: BenchCommand): Promise<T> {
		const channel = new MessageChannel();
		const answer = new Promise<T>((resolve, reject) => {
			channel.port1.onmessage = ({ data }) =>
				data.ok ? resolve(data.value as T) : reject(new Error(data.error));
		});
		this.#registration.active!.postMessage(command, [channel.port2]);
		return within(answer, COMMAND_TIMEOUT_MS, `the bench service worker (${command.op})`);
	}

	/** Where a stuck run is: the browser's background fetch and the worker's jobs. */
	async #where(fetchId: string): Promise<string> {
		const manager = (
			this.#registration as unknown as { backgroundFetch: BackgroundFetchManagerLike }
		).backgroundFetch;
		const fetch = await manager.get(fetchId).catch(() => undefined);
		const jobs = await this.#send({ op: 'list' }).catch((error: unknown) => String(error));
		return `background fetch: ${
			fetch
				? `${fetch.result || 'running'} ${fetch.failureReason}, ${fetch.downloaded} of ${fetch.downloadTotal} bytes`
				: 'gone'
		}; jobs: ${JSON.stringify(jobs)}`;
	}

	/** One download of `request` carried by Background Fetch from the hand-over on. */
	async run(request: DownloadRequest): Promise<BackgroundRun> {
		const reports = new BroadcastChannel(BENCH_CHANNEL);
		const seen: BenchReport[] = [];
		let heard = () => {};
		reports.onmessage = ({ data }) => {
			seen.push(data as BenchReport);
			heard();
		};
		/** The worker's report of `type` for the job (kept from the start, so none is missed). */
		const report = <K extends BenchReport['type']>(type: K, id: string) =>
			within(
				new Promise<Extract<BenchReport, { type: K }>>((resolve) => {
					const find = () => seen.find((r) => r.type === type && r.id === id);
					const check = () => {
						const found = find();
						if (found) resolve(found as Extract<BenchReport, { type: K }>);
						else heard = check;
					};
					check();
				}),
				RUN_TIMEOUT_MS,
				`waiting for "${type}" from the bench service worker`
			);
		try {
			const id = await this.#send<string>({ op: 'start', request });
			const handedOver = Date.now();
			const plan = await this.#send<BackgroundPlan | null>({ op: 'prepare', id });
			if (!plan)
				throw new Error(
					`the worker had nothing to hand over: ${JSON.stringify(await this.#send({ op: 'list' }))}`
				);
			const fetchStarted = Date.now();
			try {
				await commands.startBackgroundFetch(SCOPE, plan);
			} catch (error) {
				await this.#send({ op: 'failed', id, message: String(error) });
				throw error;
			}
			await this.#send({ op: 'started', id });
			const end = await report('ended', id).catch(async (error: unknown) => {
				throw new Error(`${String(error)}; ${await this.#where(plan.fetchId)}`);
			});
			if (end.state !== 'done') throw new Error(`the background run ended ${end.error}`);
			const transferEnd = await report('fetched', id);
			await this.#send({ op: 'deleteModel', id });
			return {
				seconds: (end.at - handedOver) / 1000,
				prepareSeconds: (fetchStarted - handedOver) / 1000,
				transferSeconds: (transferEnd.at - fetchStarted) / 1000,
				adoptSeconds: (end.at - transferEnd.at) / 1000,
				carriedBytes: plan.downloadTotal,
				state: end.state
			};
		} finally {
			reports.close();
		}
	}
}
