import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import type { FilestoreBlockstore } from '../ipfs/blockstore';
import { PeerBlockstore } from './peer-blockstore';

async function cidOf(text: string): Promise<CID> {
	return CID.create(1, raw.code, await sha256.digest(new TextEncoder().encode(text)));
}

/** A Filestore that counts its lookups and holds exactly the CIDs it is given. */
function countingStore(held: CID[]) {
	const lookups: string[] = [];
	const store = {
		has: async (key: CID) => {
			lookups.push(key.toString());
			return held.some((cid) => cid.equals(key));
		}
	} as unknown as FilestoreBlockstore;
	return { store, lookups };
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
});
