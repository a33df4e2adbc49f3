import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import type { FilestoreBlockstore } from '../ipfs/blockstore';
import { PeerBlockstore } from './peer-blockstore';

async function cidOf(text: string): Promise<CID> {
	return CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(text)));
}

/** A Filestore that counts its lookups and reads and holds exactly the CIDs it is given. */
function countingStore(held: CID[]) {
	const lookups: string[] = [];
	const reads: string[] = [];
	const batches: string[][] = [];
	const store = {
		lookUp: (keys: CID[]) => batches.push(keys.map(String)),
		has: async (key: CID) => {
			lookups.push(key.toString());
			return held.some((cid) => cid.equals(key));
		},
		getBlock: async (key: CID) => {
			reads.push(key.toString());
			if (!held.some((cid) => cid.equals(key))) throw new Error('not stored');
			return new TextEncoder().encode(key.toString());
		}
	} as unknown as FilestoreBlockstore;
	return { store, lookups, reads, batches };
}

async function collect(blocks: AsyncIterable<Uint8Array>): Promise<string> {
	const parts: Uint8Array[] = [];
	for await (const part of blocks) parts.push(part);
	return new TextDecoder().decode(parts[0]);
}

describe('PeerBlockstore', () => {
	it('looks a block up in the Filestore, except one the model pipeline is fetching', async () => {
		const stored = await cidOf('stored');
		const incoming = await cidOf('incoming');
		const { store, lookups } = countingStore([stored, incoming]);
		const blockstore = new PeerBlockstore(store);
		blockstore.fetching.add(incoming.toString());
		expect(await blockstore.has(stored)).toBe(true);
		expect(await blockstore.has(incoming)).toBe(false);
		expect(lookups).toEqual([stored.toString()]);
		blockstore.fetching.delete(incoming.toString());
		expect(await blockstore.has(incoming)).toBe(true);
	});

	it('reads ahead the blocks a peer asked for; has and get then use that one read', async () => {
		const [a, b, missing] = await Promise.all(['a', 'b', 'missing'].map(cidOf));
		const { store, lookups, reads } = countingStore([a!, b!]);
		const blockstore = new PeerBlockstore(store);
		blockstore.readAhead([a!, b!, missing!]);
		expect(reads).toHaveLength(3);
		expect(await blockstore.has(a!)).toBe(true);
		expect(await blockstore.has(missing!)).toBe(false);
		expect(await collect(blockstore.get(a!))).toBe(a!.toString());
		expect(await collect(blockstore.get(b!))).toBe(b!.toString());
		expect(lookups).toEqual([]);
		expect(reads).toHaveLength(3);
		// Taken once: a second get reads the store again.
		expect(await collect(blockstore.get(a!))).toBe(a!.toString());
		expect(reads).toHaveLength(4);
	});

	it('looks up the records of a want list together, leaving out blocks already read ahead', async () => {
		const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(cidOf));
		const { store, batches } = countingStore([a!, b!, c!]);
		const blockstore = new PeerBlockstore(store);
		blockstore.readAhead([a!, b!]);
		blockstore.readAhead([b!, c!]);
		expect(batches).toEqual([[a!.toString(), b!.toString()], [c!.toString()]]);
	});

	it('a store that fails to read says "not found" (has false, get a NotFoundError)', async () => {
		const cid = await cidOf('broken');
		const failing = {
			has: async () => {
				throw new Error('IndexedDB closed');
			},
			getBlock: async () => {
				throw new Error('NotReadableError');
			}
		} as unknown as FilestoreBlockstore;
		const blockstore = new PeerBlockstore(failing);
		expect(await blockstore.has(cid)).toBe(false);
		await expect(collect(blockstore.get(cid))).rejects.toMatchObject({ name: 'NotFoundError' });
	});
});
