/**
 * The upload limit on real Helia + bitswap in Node: a receiver asks for 4 MiB at once from a peer
 * limited to 1 MiB/s. Bitswap alone sends it all at once (well under a second here); limited,
 * the first second's worth goes at once and the rest at the limit. Every block arrives intact.
 */
import '../../scripts/ipfs-node/polyfills';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { expect, it } from 'vitest';
import { bitswapNetwork, bitswapWantLists } from '../../src/lib/p2p/serving';
import { limitUploads } from '../../src/lib/p2p/upload-limit';
import { bytes, collect, rawCid, wsNodesStoppedAfterEach } from './peers';

const node = wsNodesStoppedAfterEach();
const MIB = 1024 * 1024;

async function fetchAll(limit: number | null): Promise<{ ms: number; sentBytes: number }> {
	const store = new MemoryBlockstore();
	const blocks = await Promise.all(
		Array.from({ length: 16 }, async (_, index) => {
			const data = bytes(256 * 1024, 300 + index);
			const cid = await rawCid(data);
			await store.put(cid, data);
			return { cid, data };
		})
	);
	const server = await node(store);
	const network = bitswapNetwork(server);
	let sentBytes = 0;
	const send = network.sendMessage;
	network.sendMessage = (peer, message, options) => {
		for (const block of message.blocks?.values() ?? []) sentBytes += block.data.byteLength;
		return send.call(network, peer, message, options);
	};
	const limiter = limitUploads(bitswapWantLists(server), network, () => limit);
	const receiver = await node(new MemoryBlockstore());
	await receiver.libp2p.dial(multiaddr(server.libp2p.getMultiaddrs()[0]!.toString()));
	const started = performance.now();
	const received = await Promise.all(
		blocks.map(({ cid }) =>
			collect(receiver.blockstore.get(cid, { signal: AbortSignal.timeout(20_000) }))
		)
	);
	const ms = performance.now() - started;
	limiter.stop();
	for (const [index, { data }] of blocks.entries())
		expect(received[index], `block ${index}`).toEqual(data);
	return { ms, sentBytes };
}

it('a peer limited to 1 MiB/s sends 4 MiB in no less than 2.75 s; every block arrives whole', async () => {
	const limited = await fetchAll(MIB);
	// Five blocks at once (a second's worth, and the next as soon as anything is left), then the
	// other eleven 250 ms apart: at least 2.75 s. Bitswap alone takes about 0.1 s here.
	expect(limited.ms).toBeGreaterThan(2_600);
	expect(limited.sentBytes).toBe(4 * MIB);
}, 60_000);

it('with no limit the wants go straight through, and the blocks with them', async () => {
	const free = await fetchAll(null);
	expect(free.sentBytes).toBe(4 * MIB);
}, 60_000);
