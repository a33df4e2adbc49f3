/**
 * A stalled provider does not hang a transfer: real Helia + bitswap peers over WebSockets in Node.
 * One peer claims every block and never sends one; the receiver, connected to it and to an honest
 * peer, gets each block from the honest one well within the browser peer's stall bound (30 s).
 */
import '../../scripts/ipfs-node/polyfills';
import { withBitswap } from '@helia/bitswap';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { BaseBlockstore } from 'blockstore-core/base';
import { MemoryDatastore } from 'datastore-core';
import type { CID } from 'multiformats/cid';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeliaNode, type HeliaNode } from '../../scripts/ipfs-node/helia-core';
import { bytes, collect, rawCid } from './peers';

/** Has every block, sends none: each read waits until the sender gives up. */
class StallingBlockstore extends BaseBlockstore {
	asked = 0;
	override has(): Promise<boolean> {
		return Promise.resolve(true);
	}
	override async *get(_key: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
		this.asked++;
		await new Promise((_, reject) =>
			options?.signal?.addEventListener('abort', () => reject(new Error('aborted')))
		);
		yield new Uint8Array();
	}
	override put(key: CID): Promise<CID> {
		return Promise.resolve(key);
	}
}

const running: HeliaNode[] = [];
afterEach(async () => {
	await Promise.allSettled(running.splice(0).map((helia) => helia.stop()));
});

async function node(blockstore: BaseBlockstore): Promise<HeliaNode> {
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore, datastore: new MemoryDatastore() },
			{
				addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
				transports: [webSockets()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				services: { identify: identify() }
			}
		)
	);
	await helia.start();
	running.push(helia);
	return helia;
}

describe('a stalled provider', () => {
	it('does not hang the transfer: the blocks come from the honest peer', async () => {
		const blocks = await Promise.all(
			[1, 2, 3, 4].map(async (seed) => {
				const data = bytes(128 * 1024, 50 + seed);
				return { data, cid: await rawCid(data) };
			})
		);
		const honestStore = new MemoryBlockstore();
		for (const { cid, data } of blocks) await honestStore.put(cid, data);
		const stallingStore = new StallingBlockstore();
		const staller = await node(stallingStore);
		const honest = await node(honestStore);
		const receiver = await node(new MemoryBlockstore());
		await receiver.libp2p.dial(multiaddr(staller.libp2p.getMultiaddrs()[0]!.toString()));
		await receiver.libp2p.dial(multiaddr(honest.libp2p.getMultiaddrs()[0]!.toString()));

		for (const { cid, data } of blocks)
			expect(
				await collect(receiver.blockstore.get(cid, { signal: AbortSignal.timeout(20_000) }))
			).toEqual(data);
		// The staller was asked too, and sent nothing.
		expect(stallingStore.asked).toBeGreaterThan(0);
	}, 90_000);
});
