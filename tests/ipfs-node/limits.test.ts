/**
 * The browser peer's serving limits (`src/lib/p2p/limits.ts`) reach bitswap: a real Helia +
 * bitswap server in Node, configured with them, keeps at most `maxWantListSize` of a greedy
 * peer's wants however many it sends (the test sends more than the limit, whatever it is set to).
 * While the limit equals bitswap's default (1024) this shows the bound holds, not that the
 * configured value rather than the default set it; any other value would show that too.
 */
import '../../scripts/ipfs-node/polyfills';
import { withBitswap } from '@helia/bitswap';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeliaNode, type HeliaNode } from '../../scripts/ipfs-node/helia-core';
import { SERVING_LIMITS } from '../../src/lib/p2p/limits';
import { bytes, rawCid, startTestPeer, type TestPeer } from './peers';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
	await Promise.allSettled(stops.splice(0).map((stop) => stop()));
});

async function limitedServer(): Promise<HeliaNode> {
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore: new MemoryBlockstore(), datastore: new MemoryDatastore() },
			{
				addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
				transports: [webSockets()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				services: { identify: identify() }
			}
		),
		{ runOnLimitedConnections: true, ...SERVING_LIMITS.bitswap }
	);
	await helia.start();
	stops.push(() => helia.stop());
	return helia;
}

interface WantLists {
	wantListForPeer(peer: unknown): unknown[] | undefined;
}

function peerWantLists(helia: HeliaNode): WantLists {
	const broker = (
		helia as unknown as { blockBrokers: { name?: string; bitswap?: unknown }[] }
	).blockBrokers.find((b) => b.name === 'bitswap');
	return (broker?.bitswap as { peerWantLists: WantLists }).peerWantLists;
}

describe('serving limits', () => {
	it('keeps at most maxWantListSize of one peer’s wants', async () => {
		const server = await limitedServer();
		const greedy: TestPeer = await startTestPeer();
		stops.push(() => greedy.stop());
		await greedy.helia.libp2p.dial(multiaddr(server.libp2p.getMultiaddrs()[0]!.toString()));

		const wants = SERVING_LIMITS.bitswap.maxWantListSize + 144;
		const controller = new AbortController();
		const asked: Promise<unknown>[] = [];
		for (let i = 0; i < wants; i++) {
			const cid = await rawCid(bytes(64, 1000 + i));
			asked.push(
				Promise.resolve(
					greedy.helia.blockstore.get(cid, { signal: controller.signal }).next()
				).catch(() => null)
			);
		}
		const kept = () =>
			peerWantLists(server).wantListForPeer(greedy.helia.libp2p.peerId)?.length ?? 0;
		// All the wants reach the server (it holds none of the blocks, so none is answered) …
		await expect.poll(kept, { timeout: 20_000 }).toBeGreaterThan(0);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		// … and it keeps no more than the limit.
		expect(kept()).toBe(SERVING_LIMITS.bitswap.maxWantListSize);
		controller.abort();
		await Promise.all(asked);
	}, 90_000);
});
