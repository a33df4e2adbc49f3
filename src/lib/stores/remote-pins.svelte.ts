import { createContext } from 'svelte';
import { AppError, toAppError, type SerializedAppError } from '$lib/errors';
import type { LocalModel } from '$lib/downloads';
import {
	followPin,
	forgetPinningService,
	loadPinningService,
	PinningClient,
	readRemotePins,
	requestPin,
	savePinningService,
	writeRemotePin,
	type FollowOptions,
	type FollowProgress,
	type PinningServiceConfig,
	type PinStatusValue,
	type RemotePinRecord,
	dialableDelegates
} from '$lib/pinning';
import { isAllowedByCsp, pagePolicy } from '$lib/security';

/** One model's remote pin as the library shows it. */
export interface RemotePinView {
	status?: PinStatusValue;
	requestid?: string;
	/** Waiting to retry an unavailable service. */
	retrying?: { attempt: number; inMs: number; message: string };
	error?: SerializedAppError;
	busy: boolean;
	/**
	 * The service's node can be reached at this origin, which the page may not connect to yet:
	 * the user is asked to allow it (then the node fetches the blocks from this device).
	 */
	approve?: string;
}

export interface RemotePinsDeps {
	/**
	 * This device's own libp2p addresses, sent as the pin's `origins` so the service can fetch the
	 * blocks from it (from the browser peer; none when it has no relay).
	 */
	origins: () => Promise<string[]>;
	/** Connects this device's peer to the service's `delegates`, so it can serve the blocks there. */
	connect: (delegates: string[], signal: AbortSignal) => Promise<void>;
	/** Whether the page may connect to this URL (its CSP, with the origins the user allowed). */
	allowed: (url: string) => boolean;
	fetch?: typeof fetch;
	follow?: Omit<FollowOptions, 'signal' | 'onProgress'>;
}

/** Whether Add by CID reached the user's own node (or which origin the user must allow first). */
export interface NodeReach {
	reached: boolean;
	approve?: string;
}

/**
 * Settings → "Keep models on my IPFS node or pinning service" and each model's *Pin remotely*.
 * The service (endpoint + token) lives in the vault; each model's pin state comes only from the
 * service's answers and is kept in IndexedDB, and pins still queued or pinning are followed again
 * after a reload.
 */
export class RemotePinsStore {
	#config = $state<PinningServiceConfig | null>(null);
	#loaded = $state(false);
	#saving = $state(false);
	#serviceError = $state<SerializedAppError | null>(null);
	#pins = $state<Record<string, RemotePinView>>({});
	readonly #deps: RemotePinsDeps;
	// Not state: the abort handles of the pins being followed.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #follows = new Map<string, AbortController>();

	constructor(deps: Partial<RemotePinsDeps> = {}) {
		this.#deps = {
			origins: () => Promise.resolve([]),
			connect: () => Promise.resolve(),
			allowed: (url) =>
				typeof document === 'undefined' || isAllowedByCsp(url, pagePolicy(document)),
			...deps
		};
	}

	get loaded(): boolean {
		return this.#loaded;
	}
	/** The configured service's endpoint (never the token). */
	get endpoint(): string | null {
		return this.#config?.endpoint ?? null;
	}
	get saving(): boolean {
		return this.#saving;
	}
	get serviceError(): SerializedAppError | null {
		return this.#serviceError;
	}
	view(modelId: string): RemotePinView | undefined {
		return this.#pins[modelId];
	}

	async init(): Promise<void> {
		try {
			this.#config = await loadPinningService();
			if (this.#config !== null) {
				const records = await readRemotePins();
				for (const r of Object.values(records)) {
					if (r.endpoint !== this.#config.endpoint) continue;
					this.#pins[r.modelId] = {
						status: r.status,
						requestid: r.requestid,
						error: r.error,
						busy: false
					};
					if (r.status === 'queued' || r.status === 'pinning') void this.#follow(r);
				}
			}
		} catch (error) {
			this.#serviceError = toAppError(error).toJSON();
		} finally {
			this.#loaded = true;
		}
	}

	#client(): PinningClient {
		if (this.#config === null) {
			throw new AppError('PINNING_CONFIG_INVALID', 'Set up a pinning service in Settings first.');
		}
		return new PinningClient({ ...this.#config, fetch: this.#deps.fetch });
	}

	/** Checks the endpoint and token with the service, then keeps them. False (and `serviceError`) if refused. */
	async saveService(endpoint: string, token: string): Promise<boolean> {
		this.#saving = true;
		this.#serviceError = null;
		try {
			const config = await savePinningService({ endpoint, token }, { fetch: this.#deps.fetch });
			this.#stopAll();
			this.#config = config;
			this.#pins = {};
			await this.init();
			return true;
		} catch (error) {
			this.#serviceError = toAppError(error).toJSON();
			return false;
		} finally {
			this.#saving = false;
		}
	}

	async forgetService(): Promise<void> {
		this.#stopAll();
		await forgetPinningService();
		this.#config = null;
		this.#pins = {};
		this.#serviceError = null;
	}

	dismissServiceError(): void {
		this.#serviceError = null;
	}

	/**
	 * Add by CID from the user's own node: asks the service for its pin of `cid` and connects this
	 * device's peer to the node holding it (its WebSocket delegates). `approve` when the page may
	 * not connect to the node yet; `reached: false` when no service is set up or none holds it.
	 */
	async reachNodeFor(cid: string, signal: AbortSignal): Promise<NodeReach> {
		if (this.#config === null) return { reached: false };
		const found = await this.#client().list({ cid: [cid], status: ['pinned'], limit: 1 }, signal);
		const dialable = dialableDelegates(found.results[0]?.delegates ?? []);
		if (dialable.length === 0) return { reached: false };
		const allowed = dialable.filter((d) => this.#deps.allowed(d.origin));
		if (allowed.length === 0) return { reached: false, approve: dialable[0]!.origin };
		await this.#deps.connect(
			allowed.map((d) => d.addr),
			signal
		);
		return { reached: true };
	}

	/** Asks the service to pin the model's CID, with this device's addresses as origins, and follows it. */
	async pin(model: LocalModel): Promise<void> {
		if (!model.cid) {
			this.#pins[model.id] = {
				busy: false,
				error: new AppError(
					'PINNING_CONFIG_INVALID',
					'This model is not pinned in IPFS on this device yet.'
				).toJSON()
			};
			return;
		}
		const cid = model.cid;
		this.#follows.get(model.id)?.abort();
		const controller = new AbortController();
		this.#follows.set(model.id, controller);
		this.#pins[model.id] = { busy: true };
		try {
			const client = this.#client();
			const endpoint = client.endpoint;
			const origins = await this.#deps.origins();
			const status = await requestPin(
				client,
				{
					cid,
					name: `${model.repoId} ${model.variant}`.slice(0, 255),
					...(origins.length > 0 ? { origins } : {}),
					meta: { app: 'citrate' }
				},
				{
					...this.#deps.follow,
					signal: controller.signal,
					onProgress: (p) => this.#progress(model.id, p)
				}
			);
			const record: RemotePinRecord = {
				modelId: model.id,
				cid,
				endpoint,
				requestid: status.requestid,
				status: status.status,
				updatedAt: Date.now(),
				delegates: status.delegates
			};
			await writeRemotePin(record);
			await this.#follow(record, controller);
		} catch (error) {
			this.#fail(model.id, error);
		}
	}

	async #follow(record: RemotePinRecord, controller = new AbortController()): Promise<void> {
		this.#follows.set(record.modelId, controller);
		this.#pins[record.modelId] = {
			...this.#pins[record.modelId],
			status: record.status,
			requestid: record.requestid,
			busy: true
		};
		let last = record;
		this.#reach(record, controller.signal);
		try {
			const done = await followPin(this.#client(), record.requestid, {
				...this.#deps.follow,
				signal: controller.signal,
				onProgress: (p) => {
					this.#progress(record.modelId, p);
					if (p.status !== undefined && p.status !== last.status) {
						last = { ...last, status: p.status, updatedAt: Date.now() };
						void writeRemotePin(last);
					}
				}
			});
			last = { ...last, status: done.status, updatedAt: Date.now(), error: undefined };
			await writeRemotePin(last);
			this.#pins[record.modelId] = { status: done.status, requestid: done.requestid, busy: false };
		} catch (error) {
			const e = toAppError(error);
			if (e.code === 'ABORTED') return;
			if (e.code === 'PINNING_FAILED') {
				last = { ...last, status: 'failed', error: e.toJSON(), updatedAt: Date.now() };
				await writeRemotePin(last);
			}
			this.#fail(record.modelId, e);
		} finally {
			if (this.#follows.get(record.modelId) === controller) this.#follows.delete(record.modelId);
		}
	}

	/**
	 * Connects this device to the node that fetches the pin (its WebSocket delegates), so the node
	 * gets the blocks from this browser; if the page may not connect to any of them yet, the view
	 * asks the user to allow the first one. Best effort: the service may find the blocks elsewhere,
	 * and its status tells.
	 */
	#reach(record: RemotePinRecord, signal: AbortSignal): void {
		if (record.status === 'pinned' || record.status === 'failed') return;
		const dialable = dialableDelegates(record.delegates ?? []);
		if (dialable.length === 0) return;
		const allowed = dialable.filter((d) => this.#deps.allowed(d.origin));
		if (allowed.length === 0) {
			this.#pins[record.modelId] = {
				...this.#pins[record.modelId],
				busy: true,
				approve: dialable[0]!.origin
			};
			return;
		}
		void this.#deps
			.connect(
				allowed.map((d) => d.addr),
				signal
			)
			.catch(() => undefined);
	}

	#progress(modelId: string, p: FollowProgress): void {
		const current = this.#pins[modelId] ?? { busy: true };
		this.#pins[modelId] = {
			...current,
			busy: true,
			status: p.status ?? current.status,
			requestid: p.requestid ?? current.requestid,
			error: undefined,
			approve: current.approve,
			retrying: p.retrying && {
				attempt: p.retrying.attempt,
				inMs: p.retrying.inMs,
				message: p.retrying.error.message
			}
		};
	}

	#fail(modelId: string, error: unknown): void {
		const e = toAppError(error);
		if (e.code === 'ABORTED') return;
		const current = this.#pins[modelId];
		this.#pins[modelId] = {
			status: e.code === 'PINNING_FAILED' ? 'failed' : current?.status,
			requestid: current?.requestid,
			error: e.toJSON(),
			busy: false
		};
	}

	#stopAll(): void {
		for (const c of this.#follows.values()) c.abort();
		this.#follows.clear();
	}
}

export const [getRemotePins, setRemotePins] = createContext<RemotePinsStore>();
