/**
 * A stalled provider does not hang a transfer: real Helia + bitswap peers over WebSockets in Node.
 * One peer claims every block and never sends one; the receiver, connected to it and to an honest
 * peer, gets each block from the honest one well within the browser peer's stall bound (30 s).
 */
import '../../scripts/ipfs-node/polyfills';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { BaseBlockstore } from 'blockstore-core/base';
import type { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { bytes, collect, rawCid, wsNodesStoppedAfterEach } from './peers';

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

const node = wsNodesStoppedAfterEach();

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
