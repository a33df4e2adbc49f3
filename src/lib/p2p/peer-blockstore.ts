import { BaseBlockstore } from 'blockstore-core/base';
import type { CID } from 'multiformats/cid';
import type { FilestoreBlockstore } from '../ipfs/blockstore';

interface Options {
	signal?: AbortSignal;
}

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

	constructor(store: FilestoreBlockstore) {
		super();
		this.#store = store;
	}

	override has(key: CID, options?: Options): Promise<boolean> {
		if (this.fetching.has(key.toString())) return Promise.resolve(false);
		return this.#store.has(key, options);
	}

	override async *get(key: CID, options?: Options): AsyncGenerator<Uint8Array> {
		yield await this.#store.getBlock(key, options);
	}

	override put(key: CID): Promise<CID> {
		return Promise.resolve(key);
	}

	override delete(): Promise<void> {
		return Promise.resolve();
	}
}
