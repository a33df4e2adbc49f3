/**
 * Carries out pin requests: queued → pinning → pinned | failed. For each, it
 * dials the request's `origins` over libp2p and has Helia pin the CID, which
 * walks the DAG and fetches every missing block with bitswap (each block
 * checked against its CID) from the origins and any other connected peer.
 *
 * Bounded: at most `concurrency` pins at once, origins dialled with a timeout,
 * a pin that receives no block for `stallTimeoutMs` fails, and none runs past
 * `maxDurationMs`.
 */
import { randomUUID } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import type { PinRequestStore } from './store';
import type { Pin, PinStatus } from '../../../src/lib/pinning/spec';
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';

export interface PinnerOptions {
	concurrency?: number;
	stallTimeoutMs?: number;
	maxDurationMs?: number;
	dialTimeoutMs?: number;
}

export class Pinner {
	readonly #helia: Helia & { libp2p: Libp2p };
	readonly #store: PinRequestStore;
	readonly #delegates: () => string[];
	readonly #opts: Required<PinnerOptions>;
	readonly #queue: string[] = [];
	readonly #running = new Map<string, AbortController>();
	#stopped = false;

	constructor(
		helia: Helia & { libp2p: Libp2p },
		store: PinRequestStore,
		delegates: () => string[],
		opts: PinnerOptions = {}
	) {
		this.#helia = helia;
		this.#store = store;
		this.#delegates = delegates;
		this.#opts = {
			concurrency: opts.concurrency ?? 2,
			stallTimeoutMs: opts.stallTimeoutMs ?? 60_000,
			maxDurationMs: opts.maxDurationMs ?? 6 * 3600_000,
			dialTimeoutMs: opts.dialTimeoutMs ?? 15_000
		};
	}

	/** Queues again what a previous run left unfinished. */
	async resume(): Promise<void> {
		for (const p of await this.#store.load()) {
			if (p.status === 'queued' || p.status === 'pinning') {
				await this.#store.put({ ...p, status: 'queued', delegates: this.#delegates() });
				this.#enqueue(p.requestid);
			}
		}
	}

	async add(pin: Pin): Promise<PinStatus> {
		const status: PinStatus = {
			requestid: randomUUID(),
			status: 'queued',
			created: new Date().toISOString(),
			pin,
			delegates: this.#delegates(),
			info: {}
		};
		await this.#store.put(status);
		this.#enqueue(status.requestid);
		return status;
	}

	get(id: string): PinStatus | undefined {
		const p = this.#store.get(id);
		return p === undefined ? undefined : { ...p, delegates: this.#delegates() };
	}

	async remove(id: string): Promise<boolean> {
		const p = this.#store.get(id);
		if (p === undefined) return false;
		this.#running.get(id)?.abort(new Error('pin request deleted'));
		const i = this.#queue.indexOf(id);
		if (i >= 0) this.#queue.splice(i, 1);
		await this.#store.delete(id);
		await this.#unpinIfUnused(p.pin.cid);
		return true;
	}

	stop(): void {
		this.#stopped = true;
		for (const c of this.#running.values()) c.abort(new Error('node stopping'));
	}

	#enqueue(id: string): void {
		this.#queue.push(id);
		this.#drain();
	}

	#drain(): void {
		while (
			!this.#stopped &&
			this.#running.size < this.#opts.concurrency &&
			this.#queue.length > 0
		) {
			const id = this.#queue.shift()!;
			const controller = new AbortController();
			this.#running.set(id, controller);
			void this.#run(id, controller).finally(() => {
				this.#running.delete(id);
				this.#drain();
			});
		}
	}

	async #update(id: string, change: Partial<PinStatus>): Promise<void> {
		const p = this.#store.get(id);
		if (p === undefined) return; // deleted meanwhile
		await this.#store.put({ ...p, ...change });
	}

	async #run(id: string, controller: AbortController): Promise<void> {
		const request = this.#store.get(id);
		if (request === undefined) return;
		await this.#update(id, { status: 'pinning' });
		const cid = CID.parse(request.pin.cid);
		let stall: ReturnType<typeof setTimeout> | undefined;
		const armStall = () => {
			clearTimeout(stall);
			stall = setTimeout(
				() =>
					controller.abort(new Error(`no block arrived for ${this.#opts.stallTimeoutMs / 1000} s`)),
				this.#opts.stallTimeoutMs
			);
		};
		const deadline = setTimeout(
			() => controller.abort(new Error(`not finished within ${this.#opts.maxDurationMs / 1000} s`)),
			this.#opts.maxDurationMs
		);
		try {
			await this.#dialOrigins(request.pin.origins ?? [], controller.signal);
			if (!(await this.#helia.pins.isPinned(cid))) {
				armStall();
				let blocks = 0;
				for await (const _ of this.#helia.pins.add(cid, {
					signal: controller.signal,
					metadata: { requestid: id }
				})) {
					blocks++;
					armStall();
				}
				await this.#update(id, { status: 'pinned', info: { blocks: String(blocks) } });
			} else {
				await this.#update(id, { status: 'pinned', info: {} });
			}
		} catch (err) {
			const reason = controller.signal.aborted
				? String((controller.signal.reason as Error)?.message ?? controller.signal.reason)
				: err instanceof Error
					? err.message
					: String(err);
			if (!this.#stopped)
				await this.#update(id, { status: 'failed', info: { status_details: reason } });
		} finally {
			clearTimeout(stall);
			clearTimeout(deadline);
		}
	}

	async #dialOrigins(origins: string[], signal: AbortSignal): Promise<void> {
		const self = this.#helia.libp2p.peerId.toString();
		await Promise.allSettled(
			origins
				.map((o) => multiaddr(o))
				.filter((m) => {
					const peer = m.getComponents().findLast((c) => c.name === 'p2p')?.value;
					return peer !== undefined && peer !== self;
				})
				.map((m) =>
					this.#helia.libp2p.dial(m, {
						signal: AbortSignal.any([signal, AbortSignal.timeout(this.#opts.dialTimeoutMs)])
					})
				)
		);
	}

	async #unpinIfUnused(cid: string): Promise<void> {
		for (const p of this.#store.all()) if (p.pin.cid === cid) return;
		const parsed = CID.parse(cid);
		if (await this.#helia.pins.isPinned(parsed)) {
			for await (const _ of this.#helia.pins.rm(parsed)) {
				// drain
			}
			await this.#helia.gc();
		}
	}
}
