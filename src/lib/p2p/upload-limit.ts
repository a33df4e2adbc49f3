/**
 * The upload limit: what this browser's peer sends to other devices and peers, all together, in
 * bytes per second. Bitswap sends a peer each block it asks for as soon as it can read it; with
 * a limit set, the wants that ask for blocks reach bitswap only as fast as the limit allows (the
 * peers in turn), and every block sent is counted against it. Cancels and "do you have" questions
 * pass at once. With no limit, wants go straight through.
 */
import type { BitswapNetwork, PeerLike, ServingWantLists, WantMessage } from './serving';
import { blockBytes } from './upload-activity';

/** What a released want is counted as until the block sent for it is: a model leaf's size. */
const NOMINAL_BLOCK_BYTES = 256 * 1024;

/**
 * A token bucket over bytes: it holds at most one second of the rate, and may go below zero (a
 * block bigger than what is left is still sent whole; the next waits longer). Something may be
 * sent while anything is left.
 */
export class ByteBucket {
	readonly #rate: () => number | null;
	readonly #now: () => number;
	#tokens = 0;
	#last: number;

	constructor(rate: () => number | null, now: () => number = () => performance.now()) {
		this.#rate = rate;
		this.#now = now;
		this.#last = now();
		this.#tokens = rate() ?? 0;
	}

	#refill(rate: number): void {
		const now = this.#now();
		this.#tokens = Math.min(rate, this.#tokens + (rate * (now - this.#last)) / 1000);
		this.#last = now;
	}

	/** Milliseconds until something is left to send (0: now, or no limit). */
	waitMs(): number {
		const rate = this.#rate();
		if (rate === null) return 0;
		this.#refill(rate);
		return this.#tokens > 0 ? 0 : Math.max(1, Math.ceil((-this.#tokens / rate) * 1000));
	}

	charge(bytes: number): void {
		const rate = this.#rate();
		if (rate === null) return;
		this.#refill(rate);
		this.#tokens -= bytes;
	}
}

interface WantEntry {
	cid?: Uint8Array;
	cancel?: boolean;
	wantType?: string;
}

export interface UploadLimiter {
	/** Wants waiting for the limit, all peers together. */
	queued(): number;
	/** Forgets a peer's waiting wants (it went away). */
	forget(peer: string): void;
	stop(): void;
}

function asksForBlock(entry: WantEntry): boolean {
	return entry.cid !== undefined && entry.cancel !== true && entry.wantType !== 'WantHave';
}

function sameCid(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
	return (
		a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i])
	);
}

/**
 * Holds the wants for blocks back to the limit (`limit()` is read each time, so a new choice
 * applies at once) and counts what bitswap sends. `onRelease` sees each message handed on (the
 * peer reads those blocks ahead).
 */
export function limitUploads(
	wantLists: ServingWantLists,
	network: BitswapNetwork,
	limit: () => number | null,
	options: {
		onRelease?: (message: WantMessage) => void;
		/** Wants kept waiting per peer, at most (more are dropped, as bitswap drops them). */
		maxQueuedPerPeer?: number;
		now?: () => number;
	} = {}
): UploadLimiter {
	const maxQueued = options.maxQueuedPerPeer ?? 256;
	const bucket = new ByteBucket(limit, options.now);
	const original = wantLists.receiveMessage;
	const send = network.sendMessage;
	const release = (peer: PeerLike, message: WantMessage) => {
		options.onRelease?.(message);
		original.call(wantLists, peer, message);
	};
	// Waiting wants, one queue per peer, served in turn.
	const queues = new Map<string, { peer: PeerLike; entries: WantEntry[] }>();
	let timer: ReturnType<typeof setTimeout> | undefined;
	// Wants released and counted at the nominal size, whose blocks were not sent yet.
	let released = 0;

	const pump = () => {
		timer = undefined;
		while (queues.size > 0) {
			const wait = bucket.waitMs();
			if (wait > 0) {
				timer = setTimeout(pump, wait);
				return;
			}
			const [id, queue] = queues.entries().next().value as [
				string,
				{ peer: PeerLike; entries: WantEntry[] }
			];
			const entry = queue.entries.shift()!;
			// The peer goes to the back of the line.
			queues.delete(id);
			if (queue.entries.length > 0) queues.set(id, queue);
			bucket.charge(NOMINAL_BLOCK_BYTES);
			released++;
			release(queue.peer, { wantlist: { entries: [entry], full: false } });
		}
	};

	wantLists.receiveMessage = (peer, message) => {
		const id = peer.toString();
		const entries = (message.wantlist?.entries ?? []) as WantEntry[];
		if (limit() === null && !queues.has(id)) return release(peer, message);
		const queue = queues.get(id) ?? { peer, entries: [] };
		if (message.wantlist?.full === true) queue.entries = [];
		for (const entry of entries)
			if (entry.cancel === true)
				queue.entries = queue.entries.filter((waiting) => !sameCid(waiting.cid, entry.cid));
		const now = entries.filter((entry) => !asksForBlock(entry));
		if (now.length > 0 || message.wantlist?.full === true)
			release(peer, { ...message, wantlist: { ...message.wantlist, entries: now } });
		// Each block once, and no more than bitswap itself keeps of one peer's wants.
		for (const entry of entries)
			if (
				asksForBlock(entry) &&
				queue.entries.length < maxQueued &&
				!queue.entries.some((waiting) => sameCid(waiting.cid, entry.cid))
			)
				queue.entries.push(entry);
		if (queue.entries.length > 0) queues.set(id, queue);
		else queues.delete(id);
		// Waiting for the limit, unless it was just lifted.
		if (timer === undefined || limit() === null) {
			clearTimeout(timer);
			pump();
		}
	};

	network.sendMessage = (peer, message, sendOptions) => {
		// With no limit nothing is counted, and nothing released before is owed any more.
		if (limit() === null) released = 0;
		else if (message.blocks !== undefined && message.blocks.size > 0) {
			// Counted at the nominal size when released: the difference now.
			const counted = Math.min(released, message.blocks.size);
			released -= counted;
			bucket.charge(blockBytes(message) - counted * NOMINAL_BLOCK_BYTES);
		}
		return send.call(network, peer, message, sendOptions);
	};

	return {
		queued: () => [...queues.values()].reduce((sum, queue) => sum + queue.entries.length, 0),
		forget: (peer) => void queues.delete(peer),
		stop() {
			clearTimeout(timer);
			timer = undefined;
			queues.clear();
			wantLists.receiveMessage = original;
			network.sendMessage = send;
		}
	};
}
