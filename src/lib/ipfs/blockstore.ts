import { BaseBlockstore } from 'blockstore-core/base';
import type { Pair } from 'interface-blockstore';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { AppError } from '../errors';
import { blockIndex, type BlockRecord, type LeafLocation } from './block-index';
import { assertBlock, blockMatches, ownBytes } from './blocks';
import type { OpfsFiles } from './opfs-files';

interface Options {
	signal?: AbortSignal;
}

/** Records remembered between a block's `has` and its `get`, at most, and for how long. */
const FOUND_KEPT = 512;
const FOUND_TTL_MS = 2_000;

/**
 * A Filestore-style blockstore: DAG-PB nodes live in IndexedDB (`ipfsBlocks`, copied bytes);
 * raw leaves are not stored at all, only located — (OPFS path, offset, length) — and read back
 * from the model file itself. Every block read is re-hashed: a changed byte on disk fails with
 * `IPFS_BLOCK_INVALID` instead of serving wrong data.
 */
export class FilestoreBlockstore extends BaseBlockstore {
	readonly #files: OpfsFiles;
	/**
	 * Records just looked up, for the reads that follow: bitswap asks `has` and then `get` for each
	 * block it serves, and Helia's storage asks `has` again inside `get`; one IndexedDB read
	 * answers all three. Kept briefly: the worker may unpin meanwhile.
	 */
	readonly #found = new Map<string, { record: Promise<BlockRecord | undefined>; at: number }>();
	readonly #leafViews: boolean;

	/**
	 * `leafViews`: leaves come as views into the file's read-ahead window, not copies: for a
	 * store whose blocks are used on its own thread and let go (the page's peer, which serves
	 * them); never for one whose blocks are posted to another thread.
	 */
	constructor(files: OpfsFiles, { leafViews = false }: { leafViews?: boolean } = {}) {
		super();
		this.#files = files;
		this.#leafViews = leafViews;
	}

	override async has(key: CID, options?: Options): Promise<boolean> {
		options?.signal?.throwIfAborted();
		return (await this.#record(key.toString(), false)) !== undefined;
	}

	/**
	 * Looks up the records of blocks about to be read in one IndexedDB transaction (a peer's want
	 * list), for the `has` and `get` that follow.
	 */
	lookUp(keys: CID[]): void {
		const missing = keys.map((key) => key.toString()).filter((cid) => !this.#remembered(cid));
		if (missing.length === 0) return;
		const records = blockIndex.getMany(missing);
		missing.forEach((cid, index) =>
			this.#remember(
				cid,
				records.then((all) => all[index])
			)
		);
	}

	/** The block's record; `take`: the last use of a remembered one (it is forgotten). */
	async #record(cid: string, take: boolean): Promise<BlockRecord | undefined> {
		const found = this.#remembered(cid);
		if (found) {
			if (take) this.#found.delete(cid);
			return found;
		}
		const record = blockIndex.get(cid);
		if (take) this.#found.delete(cid);
		else this.#remember(cid, record);
		return record;
	}

	/** The record looked up for `cid` in the last `FOUND_TTL_MS`, if any. */
	#remembered(cid: string): Promise<BlockRecord | undefined> | undefined {
		const found = this.#found.get(cid);
		return found && performance.now() - found.at < FOUND_TTL_MS ? found.record : undefined;
	}

	#remember(cid: string, record: Promise<BlockRecord | undefined>): void {
		const entry = { record, at: performance.now() };
		this.#found.delete(cid);
		this.#found.set(cid, entry);
		if (this.#found.size > FOUND_KEPT) this.#found.delete(this.#found.keys().next().value!);
		// Only found records are worth remembering; a failed read is tried again.
		const forget = () => {
			if (this.#found.get(cid) === entry) this.#found.delete(cid);
		};
		record.then((found) => {
			if (!found) forget();
		}, forget);
	}

	/** Stores a block's bytes (a copy). Raw leaves of pinned files go through `commit` instead. */
	override async put(
		key: CID,
		value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
		options?: Options
	): Promise<CID> {
		options?.signal?.throwIfAborted();
		const parts: Uint8Array[] = [];
		if (value instanceof Uint8Array) parts.push(value);
		else for await (const part of value) parts.push(part);
		const bytes = parts.length === 1 ? ownBytes(parts[0] as Uint8Array) : concatBytes(parts);
		await assertBlock(key, bytes, 'while storing');
		await blockIndex.putNode(key.toString(), bytes);
		return key;
	}

	override async *get(key: CID, options?: Options): AsyncGenerator<Uint8Array> {
		yield await this.getBlock(key, options);
	}

	/** The verified bytes of one block. */
	async getBlock(key: CID, options?: Options): Promise<Uint8Array> {
		options?.signal?.throwIfAborted();
		const record = await this.#record(key.toString(), true);
		if (!record)
			throw new AppError('IPFS_NOT_FOUND', 'A block of this model is not stored here.', {
				details: { cid: key.toString() }
			});
		if (record.bytes) {
			await assertBlock(key, record.bytes, 'stored block');
			return record.bytes;
		}
		const locations = (record.leaf ?? []) as LeafLocation[];
		let failure: unknown;
		for (const location of locations) {
			try {
				const bytes = await this.#files.read(location.path, location.offset, location.length, {
					view: this.#leafViews
				});
				if (bytes.byteLength === location.length && (await blockMatches(key, bytes))) return bytes;
				failure = new AppError(
					'IPFS_BLOCK_INVALID',
					`The stored model file changed: the bytes at offset ${location.offset} of ${location.path} no longer match their CID. Delete the model and add it again.`,
					{ details: { cid: key.toString(), path: location.path, offset: location.offset } }
				);
			} catch (error) {
				failure = error;
			}
		}
		throw (
			failure ??
			new AppError('IPFS_NOT_FOUND', 'A block of this model has no stored bytes.', {
				details: { cid: key.toString() }
			})
		);
	}

	override async delete(key: CID, options?: Options): Promise<void> {
		options?.signal?.throwIfAborted();
		this.#found.delete(key.toString());
		await blockIndex.delete(key.toString());
	}

	override async *getAll(options?: Options): AsyncGenerator<Pair> {
		for (const text of await blockIndex.allCids()) {
			options?.signal?.throwIfAborted();
			const cid = CID.parse(text);
			yield { cid, bytes: this.get(cid, options) };
		}
	}

	/** True for raw-codec CIDs (leaves). */
	static isLeaf(cid: CID): boolean {
		return cid.code === raw.code;
	}
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.byteLength;
	}
	return out;
}
