import { openCitrateDB } from '../storage/db';

/** Where a raw leaf's bytes live: `length` bytes at `offset` of the OPFS file `path`. */
export interface LeafLocation {
	path: string;
	offset: number;
	length: number;
}

/** An `ipfsBlocks` record: a stored DAG node (`bytes`) or a located raw leaf (`leaf`). */
export interface BlockRecord {
	cid: string;
	bytes?: Uint8Array;
	leaf?: LeafLocation[];
}

export interface PinFileEntry {
	name: string;
	cid: string;
	size: number;
	dagSize: number;
	sha256?: string;
	/** OPFS path of the bytes (absent when the leaves are stored in IndexedDB). */
	path?: string;
}

/** An `ipfsPins` record: a recursively pinned file, or a directory of pinned files. */
export interface PinRecord {
	cid: string;
	kind: 'file' | 'directory';
	name: string;
	size: number;
	dagSize: number;
	sha256?: string;
	path?: string;
	/** For a directory: its files (each also pinned on its own). */
	files?: PinFileEntry[];
	/** The directory CID this file was pinned with, if any. */
	parent?: string;
	pinnedAt: number;
}

export interface PendingLeaf {
	cid: string;
	location?: LeafLocation;
	bytes?: Uint8Array;
}

/** IndexedDB side of the blockstore: DAG nodes, leaf locations, pins. */
export const blockIndex = {
	async get(cid: string): Promise<BlockRecord | undefined> {
		const db = await openCitrateDB();
		return (await db.get('ipfsBlocks', cid)) as BlockRecord | undefined;
	},

	/** Several records in one transaction, in the order of `cids`. */
	async getMany(cids: string[]): Promise<(BlockRecord | undefined)[]> {
		const db = await openCitrateDB();
		const tx = db.transaction('ipfsBlocks');
		const records = await Promise.all(cids.map((cid) => tx.store.get(cid)));
		await tx.done;
		return records as (BlockRecord | undefined)[];
	},

	async putNode(cid: string, bytes: Uint8Array): Promise<void> {
		const db = await openCitrateDB();
		await db.put('ipfsBlocks', { cid, bytes: bytes.slice() });
	},

	async delete(cid: string): Promise<void> {
		const db = await openCitrateDB();
		await db.delete('ipfsBlocks', cid);
	},

	async allCids(): Promise<string[]> {
		const db = await openCitrateDB();
		return db.getAllKeys('ipfsBlocks');
	},

	/**
	 * Records a whole import at once (one transaction, so a pin is all or nothing): the DAG nodes,
	 * the leaves (locations merged with any already known for the same CID), and the pins.
	 */
	async commit(nodes: Map<string, Uint8Array>, leaves: PendingLeaf[], pins: PinRecord[]) {
		const db = await openCitrateDB();
		const tx = db.transaction(['ipfsBlocks', 'ipfsPins'], 'readwrite');
		const blocks = tx.objectStore('ipfsBlocks');
		const writes: Promise<unknown>[] = [];
		for (const [cid, bytes] of nodes) writes.push(blocks.put({ cid, bytes }));
		const byCid = new Map<string, PendingLeaf[]>();
		for (const leaf of leaves) byCid.set(leaf.cid, [...(byCid.get(leaf.cid) ?? []), leaf]);
		for (const [cid, pending] of byCid)
			writes.push(
				blocks.get(cid).then((found) => {
					const existing = found as BlockRecord | undefined;
					if (existing?.bytes) return undefined;
					const inline = pending.find((leaf) => leaf.bytes)?.bytes;
					if (inline) return blocks.put({ cid, bytes: inline });
					const locations = [...((existing?.leaf as LeafLocation[] | undefined) ?? [])];
					for (const { location } of pending)
						if (
							location &&
							!locations.some((l) => l.path === location.path && l.offset === location.offset)
						)
							locations.push(location);
					return blocks.put({ cid, leaf: locations });
				})
			);
		for (const pin of pins) writes.push(tx.objectStore('ipfsPins').put({ ...pin }));
		await Promise.all([...writes, tx.done]);
	},

	async getPin(cid: string): Promise<PinRecord | undefined> {
		const db = await openCitrateDB();
		return (await db.get('ipfsPins', cid)) as PinRecord | undefined;
	},

	async listPins(): Promise<PinRecord[]> {
		const db = await openCitrateDB();
		return (await db.getAll('ipfsPins')) as unknown as PinRecord[];
	}
};
