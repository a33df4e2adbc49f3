/**
 * A peer answering with a corrupted block is refused and dropped (`IPFS_BLOCK_INVALID`), and the
 * transfer finishes from an honest peer: real Helia + bitswap peers over WebSockets in Node, the
 * receiver guarded by the same `BlockGuard` the page's peer uses.
 */
import '../../scripts/ipfs-node/polyfills';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import type { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { BlockGuard, bitswapBlockEvents, guardBitswap } from '../../src/lib/p2p/block-guard';
import type { HeliaNode } from '../../scripts/ipfs-node/helia-core';
import { bytes, collect, rawCid, wsNodesStoppedAfterEach } from './peers';

/** A blockstore that holds the right blocks but hands out each one with a byte flipped. */
class CorruptingBlockstore extends MemoryBlockstore {
	override async *get(key: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
		const good = await collect(super.get(key, options));
		const bad = new Uint8Array(good);
		bad[0] = (bad[0] ?? 0) ^ 0xff;
		yield bad;
	}
}

const node = wsNodesStoppedAfterEach();

function addr(helia: HeliaNode): string {
	return helia.libp2p.getMultiaddrs()[0]!.toString();
}

describe('BlockGuard with bitswap', () => {
	it('refuses and drops a peer that sends a corrupted block; the block comes from an honest peer', async () => {
		const data = bytes(256 * 1024, 7);
		const cid = await rawCid(data);
		const liarStore = new CorruptingBlockstore();
		await liarStore.put(cid, data);
		const honestStore = new MemoryBlockstore();
		await honestStore.put(cid, data);
		const liar = await node(liarStore);
		const honest = await node(honestStore);

		const guard = new BlockGuard();
		const receiver = await node(new MemoryBlockstore(), (peer) => guard.isRefused(peer));
		const reports: { peer: string; error: AppError }[] = [];
		guard.onRefused((peer, error) => reports.push({ peer, error }));
		guardBitswap(bitswapBlockEvents(receiver), guard, (peer) =>
			receiver.libp2p.hangUp(peerIdFromString(peer))
		);

		// Only the liar is connected at first: it answers the want with wrong bytes.
		await receiver.libp2p.dial(multiaddr(addr(liar)));
		guard.want(cid);
		const fetched = collect(receiver.blockstore.get(cid, { signal: AbortSignal.timeout(30_000) }));
		await expect.poll(() => reports.length, { timeout: 20_000 }).toBe(1);
		expect(reports[0]!.peer).toBe(liar.libp2p.peerId.toString());
		expect(AppError.is(reports[0]!.error, 'IPFS_BLOCK_INVALID')).toBe(true);
		await expect
			.poll(() => receiver.libp2p.getConnections(liar.libp2p.peerId).length, { timeout: 10_000 })
			.toBe(0);

		// An honest peer joins; the same want is answered with the right bytes.
		await receiver.libp2p.dial(multiaddr(addr(honest)));
		expect(await fetched).toEqual(data);

		// The liar is turned away from then on, both ways.
		const outbound = await receiver.libp2p.dial(multiaddr(addr(liar))).then(
			() => 'connected',
			() => 'refused'
		);
		expect(outbound).toBe('refused');
		// Inbound: the liar's dial may complete on its side; the receiver closes it at once.
		await liar.libp2p.dial(multiaddr(addr(receiver))).catch(() => undefined);
		await expect
			.poll(() => receiver.libp2p.getConnections(liar.libp2p.peerId).length, { timeout: 10_000 })
			.toBe(0);
		expect(guard.refused()).toEqual([liar.libp2p.peerId.toString()]);
	});

	it('lets through the blocks it asked for, from any peer', async () => {
		const guard = new BlockGuard();
		const data = bytes(1000, 3);
		const cid = await rawCid(data);
		guard.want(cid);
		expect(guard.check('peer-a', cid)).toBe(true);
		expect(guard.check('peer-b', await rawCid(bytes(1000, 4)))).toBe(false);
		expect(guard.isRefused('peer-a')).toBe(false);
		expect(guard.isRefused('peer-b')).toBe(true);
	});
});
