import { createContext } from 'svelte';
import { endRejectedSession, readAccessToken } from '$lib/auth';
import { config } from '$lib/config';
import { AppError, toAppError } from '$lib/errors';
import { DEFAULT_SEARCH, sameSearch } from '$lib/hub/search-url';
import { RECOMMENDED_REPOS, type RecommendationTier } from '$lib/recommend/catalog';
import { cpuEnv, predictHere, storedCalibrationScore } from './speed.svelte';
import type {
	DeviceLimits,
	FitEstimate,
	HubClient,
	ModelSummary,
	ModelVariant,
	SearchPage,
	SearchQuery,
	SearchSort
} from '$lib/hub';

/** `$lib/hub` and a client for it. */
export interface HubDeps {
	hub: typeof import('$lib/hub');
	client: HubClient;
}

let defaultDeps: Promise<HubDeps> | undefined;
/**
 * The Hub module and the app's client (configured Hub, the vault's token, the IndexedDB cache),
 * loaded on first use: the Hub libraries stay out of the first-load bundle.
 */
export function loadHub(): Promise<HubDeps> {
	defaultDeps ??= import('$lib/hub').then((hub) => ({
		hub,
		client: new hub.HubClient({
			hubUrl: config.hubUrl,
			getToken: readAccessToken,
			// A 401 to our token ends the session at once (every tab hears it).
			onTokenRejected: endRejectedSession,
			cache: hub.idbHubCache
		})
	}));
	defaultDeps.catch(() => (defaultDeps = undefined));
	return defaultDeps;
}

let deviceProbe: Promise<DeviceLimits> | undefined;
/** This browser's limits, probed once. */
export function deviceLimits(): Promise<DeviceLimits> {
	deviceProbe ??= import('$lib/hub').then((hub) => hub.probeDeviceLimits());
	return deviceProbe;
}

export const SORT_OPTIONS: { value: SearchSort; label: string }[] = [
	{ value: 'downloads', label: 'Most downloads' },
	{ value: 'likes', label: 'Most likes' },
	{ value: 'trendingScore', label: 'Trending' },
	{ value: 'lastModified', label: 'Recently updated' }
];

export const TASK_OPTIONS: { value: string; label: string }[] = [
	{ value: 'text-generation', label: 'Text generation' },
	{ value: 'image-text-to-text', label: 'Image + text to text' },
	{ value: 'feature-extraction', label: 'Embeddings' },
	{ value: '', label: 'Any task' }
];

export const DEFAULT_CONTEXT = 4096;

export type SearchStatus = 'idle' | 'loading' | 'ready' | 'error' | 'rate-limited';

export interface Recommendation {
	id: string;
	tier: RecommendationTier;
	status: 'loading' | 'ready' | 'error';
	summary: ModelSummary | null;
	/** The repo's commit the variant was listed at (for a download). */
	revision: string | null;
	variant: ModelVariant | null;
	fit: FitEstimate | null;
	/** Estimated decode tokens per second on this device. */
	speed: number | null;
	/** Why it does not suit a browser here; null when it does. */
	whyNot: string | null;
	error: string | null;
}

export interface SearchStoreOptions {
	debounceMs?: number;
	/** For tests: a fake clock's setTimeout/setInterval are used through these. */
	setTimeout?: (fn: () => void, ms: number) => unknown;
	clearTimeout?: (id: unknown) => void;
	device?: () => Promise<DeviceLimits>;
	/** `navigator.hardwareConcurrency`, for the speed prediction. */
	cores?: () => number;
	/** This device's stored speed calibration (null: none yet, the measured table is used). */
	calibration?: () => Promise<number | null>;
}

/**
 * Search state for /models: debounced queries with stale requests aborted, cursor paging,
 * automatic retry after a 429, cached results when offline, and the recommended models.
 */
export class SearchStore {
	readonly #deps: () => Promise<HubDeps>;
	readonly #debounceMs: number;
	readonly #setTimeout: (fn: () => void, ms: number) => unknown;
	readonly #clearTimeout: (id: unknown) => void;
	readonly #device: () => Promise<DeviceLimits>;
	readonly #cores: () => number;
	readonly #calibration: () => Promise<number | null>;

	#text = $state(DEFAULT_SEARCH.search);
	#ggufOnly = $state(DEFAULT_SEARCH.ggufOnly);
	#task = $state(DEFAULT_SEARCH.task);
	#sort = $state<SearchSort>(DEFAULT_SEARCH.sort);
	#results = $state<ModelSummary[]>([]);
	#next = $state<string | null>(null);
	#status = $state<SearchStatus>('idle');
	#loadingMore = $state(false);
	#error = $state<AppError | null>(null);
	#cached = $state(false);
	#cachedAt = $state<number | null>(null);
	#retryIn = $state(0);
	#searched = $state<SearchQuery | null>(null);
	#recommended = $state<Recommendation[]>([]);

	#failed: { query: SearchQuery; next: string | null } | null = null;
	#controller: AbortController | null = null;
	#debounce: unknown = null;
	#retryTimer: unknown = null;

	constructor(deps: () => Promise<HubDeps> = loadHub, options: SearchStoreOptions = {}) {
		this.#deps = deps;
		this.#debounceMs = options.debounceMs ?? 300;
		this.#setTimeout = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
		this.#clearTimeout =
			options.clearTimeout ??
			((id) => globalThis.clearTimeout(id as ReturnType<typeof globalThis.setTimeout>));
		this.#device = options.device ?? deviceLimits;
		this.#cores = options.cores ?? (() => globalThis.navigator?.hardwareConcurrency || 1);
		this.#calibration =
			options.calibration ?? (() => storedCalibrationScore(cpuEnv(this.#cores())));
	}

	get text() {
		return this.#text;
	}
	get ggufOnly() {
		return this.#ggufOnly;
	}
	get task() {
		return this.#task;
	}
	get sort() {
		return this.#sort;
	}
	get results(): readonly ModelSummary[] {
		return this.#results;
	}
	get hasMore() {
		return this.#next !== null;
	}
	get status() {
		return this.#status;
	}
	get loadingMore() {
		return this.#loadingMore;
	}
	get error() {
		return this.#error;
	}
	/** The results shown came from the offline cache. */
	get cached() {
		return this.#cached;
	}
	get cachedAt() {
		return this.#cachedAt;
	}
	/** Seconds until the automatic retry after a 429. */
	get retryIn() {
		return this.#retryIn;
	}
	/** The query whose results are shown (null before the first search). */
	get searched() {
		return this.#searched;
	}
	get recommended(): readonly Recommendation[] {
		return this.#recommended;
	}
	/** Whether every recommendation has settled (ready or unreachable). */
	get recommendedSettled(): boolean {
		return this.#recommended.length > 0 && this.#recommended.every((r) => r.status !== 'loading');
	}

	get query(): SearchQuery {
		return { search: this.#text, ggufOnly: this.#ggufOnly, task: this.#task, sort: this.#sort };
	}

	/** Typing: searches after a pause; an empty box goes back to the recommendations. */
	setText(text: string): void {
		this.#text = text;
		if (this.#debounce) this.#clearTimeout(this.#debounce);
		this.#debounce = this.#setTimeout(() => {
			this.#debounce = null;
			void this.search();
		}, this.#debounceMs);
	}

	setGgufOnly(value: boolean): void {
		this.#ggufOnly = value;
		void this.search();
	}
	setTask(value: string): void {
		this.#task = value;
		void this.search();
	}
	setSort(value: SearchSort): void {
		this.#sort = value;
		void this.search();
	}

	/**
	 * Takes a whole query at once (from the page's URL) and runs it, unless it is the one shown.
	 */
	apply(query: SearchQuery): void {
		const shown = this.#searched !== null && sameSearch(this.#searched, query);
		const same = sameSearch(this.query, query);
		if (shown || (same && (this.#status === 'loading' || !query.search.trim()))) return;
		this.#text = query.search;
		this.#ggufOnly = query.ggufOnly;
		this.#task = query.task;
		this.#sort = query.sort;
		void this.search();
	}

	/** Runs the current query now (first page), aborting whatever was in flight. */
	async search(): Promise<void> {
		if (this.#debounce) {
			this.#clearTimeout(this.#debounce);
			this.#debounce = null;
		}
		this.#cancelRetry();
		const query = this.query;
		if (!query.search.trim()) {
			this.#controller?.abort();
			this.#searched = null;
			this.#results = [];
			this.#next = null;
			this.#status = 'idle';
			this.#error = null;
			this.#cached = false;
			return;
		}
		await this.#load(query, null);
	}

	/** The next page of the current results. */
	async loadMore(): Promise<void> {
		const query = this.#searched;
		if (!query || !this.#next || this.#loadingMore) return;
		await this.#load(query, this.#next);
	}

	async #load(query: SearchQuery, next: string | null): Promise<void> {
		this.#controller?.abort();
		const controller = new AbortController();
		this.#controller = controller;
		if (next) this.#loadingMore = true;
		else this.#status = 'loading';
		this.#error = null;
		let page: SearchPage;
		try {
			const { client } = await this.#deps();
			page = await client.search(query, { signal: controller.signal, next });
		} catch (error) {
			if (controller.signal.aborted) return;
			this.#loadingMore = false;
			const appError = toAppError(error);
			this.#error = appError;
			this.#failed = { query, next };
			if (appError.code === 'HUB_RATE_LIMITED') {
				const seconds = Number(appError.details?.retryAfter ?? 10);
				this.#status = 'rate-limited';
				this.#startRetry(Math.max(1, Math.ceil(seconds)), () => this.#load(query, next));
			} else {
				this.#status = 'error';
			}
			return;
		} finally {
			if (this.#controller === controller && !controller.signal.aborted) this.#controller = null;
		}
		if (controller.signal.aborted) return;
		this.#failed = null;
		this.#searched = query;
		this.#results = next
			? [...this.#results, ...page.models.filter((m) => !this.#results.some((r) => r.id === m.id))]
			: page.models;
		this.#next = page.next;
		this.#cached = page.cached;
		this.#cachedAt = page.storedAt ?? null;
		this.#status = 'ready';
		this.#loadingMore = false;
	}

	#startRetry(seconds: number, retry: () => Promise<void>): void {
		this.#cancelRetry();
		this.#retryIn = seconds;
		const tick = () => {
			this.#retryIn -= 1;
			if (this.#retryIn <= 0) {
				this.#retryTimer = null;
				void retry();
			} else this.#retryTimer = this.#setTimeout(tick, 1000);
		};
		this.#retryTimer = this.#setTimeout(tick, 1000);
	}

	#cancelRetry(): void {
		if (this.#retryTimer) this.#clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
		this.#retryIn = 0;
	}

	/** Retry the failed request now (the button in the rate-limited and error states). */
	async retry(): Promise<void> {
		const failed = this.#failed;
		this.#cancelRetry();
		if (failed) await this.#load(failed.query, failed.next);
	}

	/**
	 * Loads the recommended models and, for each one's recommended variant, its fit (4k context),
	 * its speed here and, when it does not suit a browser, why. Unreachable ones end as `error`.
	 */
	async loadRecommended(signal?: AbortSignal): Promise<void> {
		if (this.#recommended.length > 0 && this.#recommended.every((r) => r.status === 'ready'))
			return;
		if (this.#loadingRecommended) return this.#loadingRecommended;
		this.#loadingRecommended = this.#loadRecommended(signal).finally(
			() => (this.#loadingRecommended = null)
		);
		return this.#loadingRecommended;
	}

	#loadingRecommended: Promise<void> | null = null;

	async #loadRecommended(signal?: AbortSignal): Promise<void> {
		this.#recommended = RECOMMENDED_REPOS.map(({ id, tier }) => ({
			id,
			tier,
			status: 'loading',
			summary: null,
			revision: null,
			variant: null,
			fit: null,
			speed: null,
			whyNot: null,
			error: null
		}));
		let deps: HubDeps;
		let device: DeviceLimits;
		let pick: typeof import('$lib/recommend/pick');
		try {
			[deps, device, pick] = await Promise.all([
				this.#deps(),
				this.#device(),
				import('$lib/recommend/pick')
			]);
		} catch (error) {
			const message = toAppError(error).message;
			this.#recommended = this.#recommended.map((r) => ({ ...r, status: 'error', error: message }));
			return;
		}
		const { hub, client } = deps;
		const env = cpuEnv(this.#cores());
		const score = await this.#calibration().catch(() => null);
		await Promise.all(
			RECOMMENDED_REPOS.map(async ({ id }, index) => {
				const update = (patch: Partial<Recommendation>) => {
					const current = this.#recommended[index];
					if (current) this.#recommended[index] = { ...current, ...patch };
				};
				try {
					const { value: info } = await client.getModel(id, { signal });
					const variants = hub.groupVariants(info.files, { parameterCount: info.parameterCount });
					const variant = variants.find((v) => v.recommended) ?? variants[0] ?? null;
					update({ summary: info, revision: info.sha, variant });
					let shape: ReturnType<typeof hub.shapeFromSummary> = null;
					let largest: number | null = null;
					let lookupOnlyShare: number | null = null;
					const first = variant?.files[0];
					if (first) {
						try {
							const header = await client.ggufHeader(id, info.sha, first.path, {
								signal,
								fileSize: first.size
							});
							shape = hub.shapeFromSummary(header.value);
							largest = header.value.largestTensorBytes;
							lookupOnlyShare = header.value.lookupOnlyShare ?? null;
						} catch (error) {
							if (signal?.aborted) throw error;
							// keep going with an estimated KV cache
						}
					}
					const fit = variant
						? hub.estimateFit(
								{
									weightsBytes: variant.totalBytes,
									shape,
									contextLength: DEFAULT_CONTEXT,
									largestTensorBytes: largest
								},
								device
							)
						: null;
					const speed = variant
						? (predictHere(env, score, variant.totalBytes, variant.quant, lookupOnlyShare)
								?.tokensPerSecond ?? null)
						: null;
					update({ status: 'ready', fit, speed, whyNot: pick.whyNot({ fit, speed }) });
				} catch (error) {
					update({ status: 'error', error: toAppError(error).message });
				}
			})
		);
	}

	/** Loads again the recommendations that could not be reached. */
	async retryRecommended(signal?: AbortSignal): Promise<void> {
		this.#recommended = [];
		await this.loadRecommended(signal);
	}

	dispose(): void {
		this.#controller?.abort();
		this.#cancelRetry();
		if (this.#debounce) this.#clearTimeout(this.#debounce);
	}
}

/** `getSearch()` in components; the root layout calls `setSearch(new SearchStore())`. */
export const [getSearch, setSearch] = createContext<SearchStore>();
