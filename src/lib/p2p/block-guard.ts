/**
 * Refuses peers that send wrong blocks. Bitswap names a received block by hashing its bytes, so a
 * block whose bytes were changed arrives under a CID nobody asked for: Helia drops it silently
 * and keeps waiting. The guard remembers what this peer asked for, and a block under any other
 * CID marks its sender as refused: the connection is closed, the gater turns it away from then
 * on, and the listener reports it (`IPFS_BLOCK_INVALID`). The honest peers' blocks still answer
 * the want, so the transfer finishes from them.
 */
import type { CID } from 'multiformats/cid';
import { AppError } from '../errors';

/** What bitswap's want list dispatches for every block it receives. */
export interface ReceivedBlockEvent {
	sender: { toString(): string };
	cid: CID;
}

interface BlockEvents {
	addEventListener(type: 'block', listener: (event: CustomEvent<ReceivedBlockEvent>) => void): void;
	removeEventListener(
		type: 'block',
		listener: (event: CustomEvent<ReceivedBlockEvent>) => void
	): void;
}

/** How many asked-for CIDs are remembered (older ones are forgotten first). */
const REMEMBERED = 1 << 20;

function key(cid: CID): string {
	// By multihash: the same bytes under CIDv0/v1 or another codec are the same block.
	let text = '';
	for (const byte of cid.multihash.bytes) text += byte.toString(16).padStart(2, '0');
	return text;
}

export class BlockGuard {
	readonly #asked = new Set<string>();
	readonly #refused = new Map<string, AppError>();
	readonly #listeners = new Set<(peer: string, error: AppError) => void>();

	/** Notes that this peer asks for `cid` (before asking). */
	want(cid: CID): void {
		const k = key(cid);
		this.#asked.delete(k);
		this.#asked.add(k);
		if (this.#asked.size > REMEMBERED) {
			const oldest = this.#asked.values().next().value;
			if (oldest !== undefined) this.#asked.delete(oldest);
		}
	}

	/** Checks one received block; false (and the sender refused) when nobody asked for it. */
	check(sender: string, cid: CID): boolean {
		if (this.#asked.has(key(cid))) return true;
		if (this.#refused.has(sender)) return false;
		const error = new AppError(
			'IPFS_BLOCK_INVALID',
			'A peer sent a block that does not match what was asked for. It was refused and disconnected; the transfer goes on with the other peers.',
			{ details: { peer: sender, cid: cid.toString() } }
		);
		this.#refused.set(sender, error);
		for (const listener of this.#listeners) listener(sender, error);
		return false;
	}

	isRefused(peer: string): boolean {
		return this.#refused.has(peer);
	}

	/** The peers refused so far. */
	refused(): string[] {
		return [...this.#refused.keys()];
	}

	/** Calls `listener` for each newly refused peer; returns the unsubscribe function. */
	onRefused(listener: (peer: string, error: AppError) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
}

/** Bitswap's want list on a started Helia node, which dispatches every received block. */
export function bitswapBlockEvents(helia: unknown): BlockEvents {
	const brokers = (helia as { blockBrokers?: unknown[] }).blockBrokers ?? [];
	const broker = brokers.find(
		(candidate): candidate is { bitswap: { wantList: BlockEvents } } =>
			typeof candidate === 'object' &&
			candidate !== null &&
			(candidate as { name?: string }).name === 'bitswap'
	);
	const wantList = broker?.bitswap?.wantList;
	if (!wantList || typeof wantList.addEventListener !== 'function')
		throw new Error('Bitswap is not started, or its want list moved (check @helia/bitswap).');
	return wantList;
}

/**
 * Watches every block bitswap receives: a sender of a block nobody asked for is refused and
 * disconnected through `hangUp`. Returns the function that stops watching.
 */
export function guardBitswap(
	events: BlockEvents,
	guard: BlockGuard,
	hangUp: (peer: string) => Promise<void> | void
): () => void {
	const listener = (event: CustomEvent<ReceivedBlockEvent>) => {
		const sender = event.detail.sender.toString();
		if (!guard.check(sender, event.detail.cid))
			void Promise.resolve(hangUp(sender)).catch(() => {});
	};
	events.addEventListener('block', listener);
	return () => events.removeEventListener('block', listener);
}
