import { BaseBlockstore } from 'blockstore-core/base';
import type { CID } from 'multiformats/cid';
import type { FilestoreBlockstore } from '../ipfs/blockstore';

interface Options {
	signal?: AbortSignal;
}

/** How stores say "no such block" (`interface-store`'s `NotFoundError`): bitswap checks the name. */
export class UnreadableBlockError extends Error {
	override readonly name = 'NotFoundError';
	constructor(cid: string, cause: unknown) {
		super(`This block cannot be read here: ${cid}`, { cause });
	}
}

/** Blocks read ahead of bitswap's requests for them, at most, and how long one waits unasked. */
const SERVE_AHEAD_BLOCKS = 128;
const SERVE_AHEAD_MS = 10_000;

/**
 * The peer's view of the Filestore: pinned models are served as they are (DAG nodes from
 * IndexedDB, leaves read by offset from the model files in OPFS, each re-hashed). Blocks the
 * network brings are not stored here: Helia hands them to the caller (the model pipeline), which
 * writes them into the model file and indexes their place, so nothing is kept twice.
 */
export class PeerBlockstore extends BaseBlockstore {
	readonly #store: FilestoreBlockstore;
	/**
	 * Blocks the model pipeline is fetching: it asks only for what it does not hold, so Helia's
	 * look in the store before going to the network (an IndexedDB read per block) is skipped.
	 */
	readonly fetching = new Set<string>();
	readonly #servingAhead = new Map<string, Promise<Uint8Array>>();

	constructor(store: FilestoreBlockstore) {
		super();
		this.#store = store;
	}

	/**
	 * Starts reading the blocks a peer just asked for, all at once. Bitswap reads the blocks of a
	 * reply one after another (IndexedDB, the file, the hash check), and the connection idles
	 * meanwhile; read ahead, they are ready when it asks.
	 */
	readAhead(cids: CID[]): void {
		this.#store.lookUp(cids.filter((cid) => !this.#servingAhead.has(cid.toString())));
		for (const cid of cids) {
			const key = cid.toString();
			if (this.#servingAhead.has(key) || this.#servingAhead.size >= SERVE_AHEAD_BLOCKS) continue;
			const read = this.#store.getBlock(cid);
			read.catch(() => undefined);
			this.#servingAhead.set(key, read);
			setTimeout(() => {
				if (this.#servingAhead.get(key) === read) this.#servingAhead.delete(key);
			}, SERVE_AHEAD_MS);
		}
	}

	override has(key: CID, options?: Options): Promise<boolean> {
		const text = key.toString();
		if (this.fetching.has(text)) return Promise.resolve(false);
		const ahead = this.#servingAhead.get(text);
		if (ahead)
			return ahead.then(
				() => true,
				() => false
			);
		return this.#store.has(key, options).catch(() => false);
	}

	/**
	 * A block that cannot be read (its file changed or went away, its record was just dropped)
	 * fails as bitswap's "not found": on any other error bitswap abandons the whole reply it was
	 * putting together, and every block in it stays unsent to that peer until it asks again.
	 */
	override async *get(key: CID, options?: Options): AsyncGenerator<Uint8Array> {
		const text = key.toString();
		const ahead = this.#servingAhead.get(text);
		if (ahead) this.#servingAhead.delete(text);
		try {
			yield await (ahead ?? this.#store.getBlock(key, options));
		} catch (cause) {
			options?.signal?.throwIfAborted();
			throw new UnreadableBlockError(text, cause);
		}
	}

	override put(key: CID): Promise<CID> {
		return Promise.resolve(key);
	}

	override delete(): Promise<void> {
		return Promise.resolve();
	}
}
