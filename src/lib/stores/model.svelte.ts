import { createContext } from 'svelte';
import { AppError, toAppError } from '$lib/errors';
import type {
	DeviceLimits,
	FitEstimate,
	GgufSummary,
	ModelInfo,
	ModelVariant,
	RepoAccess
} from '$lib/hub';
import { DEFAULT_CONTEXT, deviceLimits, loadHub, type HubDeps } from './search.svelte';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
export type AccessState = RepoAccess | 'checking' | 'unknown';

export const CONTEXT_CHOICES = [2048, 4096, 8192, 16384, 32768, 65536, 131072] as const;

/**
 * One model page: info pinned to a commit, README, variants, the GGUF header of the recommended
 * variant (or the first), this user's access, and a fit estimate per variant for a chosen context.
 */
export class ModelStore {
	readonly #loadDeps: () => Promise<HubDeps>;
	#deps = $state<HubDeps | null>(null);
	readonly #device: () => Promise<DeviceLimits>;

	#id = $state<string | null>(null);
	#status = $state<LoadStatus>('idle');
	#error = $state<AppError | null>(null);
	#info = $state<ModelInfo | null>(null);
	#cached = $state(false);
	#variants = $state<ModelVariant[]>([]);
	#readme = $state<string | null>(null);
	#readmeStatus = $state<LoadStatus>('idle');
	#header = $state<GgufSummary | null>(null);
	#headerPath = $state<string | null>(null);
	#headerStatus = $state<LoadStatus>('idle');
	#headerError = $state<AppError | null>(null);
	#access = $state<AccessState>('unknown');
	#device_ = $state<DeviceLimits | null>(null);
	#contextLength = $state(DEFAULT_CONTEXT);
	#retryIn = $state(0);
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	#controller: AbortController | null = null;

	constructor(
		deps: () => Promise<HubDeps> = loadHub,
		options: { device?: () => Promise<DeviceLimits> } = {}
	) {
		this.#loadDeps = deps;
		this.#device = options.device ?? deviceLimits;
	}

	get id() {
		return this.#id;
	}
	get status() {
		return this.#status;
	}
	get error() {
		return this.#error;
	}
	get info() {
		return this.#info;
	}
	get cached() {
		return this.#cached;
	}
	get variants(): readonly ModelVariant[] {
		return this.#variants;
	}
	get readme() {
		return this.#readme;
	}
	get readmeStatus() {
		return this.#readmeStatus;
	}
	get header() {
		return this.#header;
	}
	get headerPath() {
		return this.#headerPath;
	}
	get headerStatus() {
		return this.#headerStatus;
	}
	get headerError() {
		return this.#headerError;
	}
	get access() {
		return this.#access;
	}
	get device() {
		return this.#device_;
	}
	/** Seconds until the page reloads itself after a 429 (0 when not rate limited). */
	get retryIn() {
		return this.#retryIn;
	}
	get contextLength() {
		return this.#contextLength;
	}
	get maxContext(): number | null {
		return this.#header?.contextLength ?? this.#info?.contextLength ?? null;
	}
	get hubPageUrl(): string | null {
		return this.#id && this.#deps ? this.#deps.client.modelPageUrl(this.#id) : null;
	}

	/** Where the model card's relative links and images point: the repo's files at the pinned commit. */
	get filesBaseUrl(): string | null {
		const info = this.#info;
		return info && this.#deps ? this.#deps.client.resolveUrl(info.id, info.sha, '') : null;
	}

	setContextLength(value: number): void {
		this.#contextLength = value;
	}

	/** The fit estimate of a variant at the chosen context (null until the device is probed). */
	fitOf(variant: ModelVariant): FitEstimate | null {
		const hub = this.#deps?.hub;
		if (!this.#device_ || !hub) return null;
		return hub.estimateFit(
			{
				weightsBytes: variant.totalBytes,
				shape: hub.shapeFromSummary(this.#header),
				contextLength: this.#contextLength,
				largestTensorBytes: this.#header?.largestTensorBytes ?? null
			},
			this.#device_
		);
	}

	async load(id: string): Promise<void> {
		this.#cancelRetry();
		this.#controller?.abort();
		const controller = new AbortController();
		this.#controller = controller;
		const signal = controller.signal;
		this.#id = id;
		this.#status = 'loading';
		this.#error = null;
		this.#info = null;
		this.#variants = [];
		this.#readme = null;
		this.#readmeStatus = 'idle';
		this.#header = null;
		this.#headerPath = null;
		this.#headerStatus = 'idle';
		this.#headerError = null;
		this.#access = 'unknown';
		this.#contextLength = DEFAULT_CONTEXT;
		void this.#device().then((device) => {
			if (!signal.aborted) this.#device_ = device;
		});
		try {
			const deps = await this.#loadDeps();
			this.#deps = deps;
			const { value: info, cached } = await deps.client.getModel(id, { signal });
			if (signal.aborted) return;
			this.#info = info;
			this.#cached = cached;
			this.#variants = deps.hub.groupVariants(info.files, { parameterCount: info.parameterCount });
			this.#status = 'ready';
		} catch (error) {
			if (signal.aborted) return;
			this.#error = toAppError(error);
			this.#status = 'error';
			if (this.#error.code === 'HUB_RATE_LIMITED') {
				const seconds = Math.max(1, Math.ceil(Number(this.#error.details?.retryAfter ?? 10)));
				this.#startRetry(seconds, id, signal);
			}
			return;
		}
		await Promise.all([this.#loadReadme(signal), this.#loadHeader(signal), this.refreshAccess()]);
	}

	async #loadReadme(signal: AbortSignal): Promise<void> {
		const info = this.#info;
		const client = this.#deps?.client;
		if (!info || !client) return;
		this.#readmeStatus = 'loading';
		try {
			const { value } = await client.readme(info.id, info.sha, { signal });
			if (signal.aborted) return;
			this.#readme = value;
			this.#readmeStatus = 'ready';
		} catch {
			if (!signal.aborted) this.#readmeStatus = 'error';
		}
	}

	/** Reads the header of the recommended variant's first shard (or of `variant`). */
	async #loadHeader(signal: AbortSignal, variant?: ModelVariant): Promise<void> {
		const info = this.#info;
		const target = variant ?? this.#variants.find((v) => v.recommended) ?? this.#variants[0];
		const file = target?.files[0];
		const deps = this.#deps;
		if (!info || !file || !deps) return;
		this.#headerStatus = 'loading';
		this.#headerError = null;
		this.#headerPath = file.path;
		try {
			const { value } = await deps.client.ggufHeader(info.id, info.sha, file.path, {
				signal,
				fileSize: file.size
			});
			if (signal.aborted) return;
			this.#header = value;
			this.#headerStatus = 'ready';
			// A header's own parameter count (unsplit files) makes bits per weight exact.
			if (value.parameterCount && !info.parameterCount)
				this.#variants = deps.hub.groupVariants(info.files, {
					parameterCount: value.parameterCount
				});
		} catch (error) {
			if (signal.aborted) return;
			this.#headerError = toAppError(error);
			this.#headerStatus = 'error';
		}
	}

	/** Reads another variant's header (e.g. after a gated repo was unlocked). */
	async reloadHeader(variant?: ModelVariant): Promise<void> {
		const signal = this.#controller?.signal ?? new AbortController().signal;
		await this.#loadHeader(signal, variant);
	}

	/** Asks the Hub whether the current user may download (call again after sign-in/out). */
	async refreshAccess(): Promise<void> {
		const info = this.#info;
		const client = this.#deps?.client;
		if (!info || !client) return;
		if (!info.gated && !info.private) {
			this.#access = 'granted';
			return;
		}
		this.#access = 'checking';
		try {
			this.#access = await client.checkAccess(info.id, { signal: this.#controller?.signal });
		} catch {
			this.#access = 'unknown';
		}
		if (this.#access === 'granted' && this.#headerStatus === 'error') await this.reloadHeader();
	}

	/** Counts down, then loads the model again (unless another load started meanwhile). */
	#startRetry(seconds: number, id: string, signal: AbortSignal): void {
		this.#retryIn = seconds;
		const tick = () => {
			if (signal.aborted) return;
			this.#retryIn -= 1;
			if (this.#retryIn <= 0) {
				this.#retryTimer = null;
				void this.load(id);
			} else this.#retryTimer = setTimeout(tick, 1000);
		};
		this.#retryTimer = setTimeout(tick, 1000);
	}

	#cancelRetry(): void {
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
		this.#retryIn = 0;
	}

	dispose(): void {
		this.#cancelRetry();
		this.#controller?.abort();
	}
}

/** `getModelPage()` in components; the root layout calls `setModelPage(new ModelStore())`. */
export const [getModelPage, setModelPage] = createContext<ModelStore>();
