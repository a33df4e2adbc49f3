/**
 * A block the serving peer cannot read does not hold back the others: real Helia + bitswap in
 * Node, the server's blockstore the page peer's `PeerBlockstore`. Bitswap gathers every wanted
 * block into one reply; a read that failed with anything but "not found" made it drop that reply,
 * and the blocks in it were never sent to that peer.
 */
import '../../scripts/ipfs-node/polyfills';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import type { CID } from 'multiformats/cid';
import { expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors';
import type { FilestoreBlockstore } from '../../src/lib/ipfs/blockstore';
import { PeerBlockstore } from '../../src/lib/p2p/peer-blockstore';
import { bytes, collect, rawCid, wsNodesStoppedAfterEach } from './peers';

const node = wsNodesStoppedAfterEach();

it('a block that cannot be read is not found; the blocks wanted with it still come', async () => {
	const blocks = await Promise.all(
		[1, 2, 3, 4].map(async (seed) => {
			const data = bytes(64 * 1024, 70 + seed);
			return { data, cid: await rawCid(data) };
		})
	);
	const unreadable = blocks[0]!.cid;
	// Every block is indexed; the first one's file changed on disk since.
	const filestore = {
		lookUp: () => {},
		has: async () => true,
		getBlock: async (cid: CID) => {
			if (cid.equals(unreadable))
				throw new AppError('IPFS_BLOCK_INVALID', 'The stored model file changed.');
			return blocks.find((block) => block.cid.equals(cid))!.data;
		}
	} as unknown as FilestoreBlockstore;
	const server = await node(new PeerBlockstore(filestore));
	const receiver = await node(new MemoryBlockstore());
	await receiver.libp2p.dial(multiaddr(server.libp2p.getMultiaddrs()[0]!.toString()));

	// Asked together: one want list, one reply under way.
	const asked = blocks.map(({ cid }) =>
		collect(receiver.blockstore.get(cid, { signal: AbortSignal.timeout(8_000) })).then(
			(data) => data,
			() => null
		)
	);
	const received = await Promise.all(asked);
	expect(received[0]).toBeNull();
	for (const [index, { data }] of blocks.entries())
		if (index > 0) expect(received[index], `block ${index}`).toEqual(data);
}, 60_000);
