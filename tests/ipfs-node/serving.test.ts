/**
 * "Serve to the public network" off means it: real Helia + bitswap peers over WebSockets in Node.
 * The server holds a block and restricts serving with the same `ServePolicy` the page's peer uses:
 * a paired peer gets the block, an unpaired one gets nothing (no block, no "don't have") until it
 * is paired — then it is answered from its held wants — and with serving on anyone gets it.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, describe, expect, it } from 'vitest';
import { ServePolicy, bitswapWantLists, restrictServing } from '../../src/lib/p2p/serving';
import { bytes, collect, rawCid, startTestPeer, type TestPeer } from './peers';

const running: TestPeer[] = [];
afterEach(async () => {
	await Promise.allSettled(running.splice(0).map((peer) => peer.stop()));
});

async function peer(): Promise<TestPeer> {
	const started = await startTestPeer();
	running.push(started);
	return started;
}

async function serverWith(data: Uint8Array, servePublic: () => boolean) {
	const server = await peer();
	const cid = await rawCid(data);
	await server.helia.blockstore.put(cid, data);
	const policy = new ServePolicy(servePublic);
	restrictServing(bitswapWantLists(server.helia), policy);
	const ws = server.multiaddrs.find((addr) => addr.includes('/ws'))!;
	return { server, cid, policy, ws };
}

/** Whether `client` gets the block within `ms` (it asks only the peers it is connected to). */
async function fetches(client: TestPeer, cid: Awaited<ReturnType<typeof rawCid>>, ms: number) {
	try {
		return await collect(client.helia.blockstore.get(cid, { signal: AbortSignal.timeout(ms) }));
	} catch {
		return null;
	}
}

describe('serving only paired peers', () => {
	it('serves a paired peer, refuses an unpaired one, and answers it once paired', async () => {
		const data = bytes(64 * 1024, 11);
		const { server, cid, policy, ws } = await serverWith(data, () => false);
		const paired = await peer();
		const stranger = await peer();
		policy.pair(paired.peerId);
		await paired.helia.libp2p.dial(multiaddr(ws));
		await stranger.helia.libp2p.dial(multiaddr(ws));

		expect(await fetches(paired, cid, 20_000)).toEqual(data);
		// The stranger is connected and asks, and gets nothing: not the block, not "don't have".
		const asked = fetches(stranger, cid, 30_000);
		await expect
			.poll(() => server.helia.libp2p.getConnections().length, { timeout: 10_000 })
			.toBe(2);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(await stranger.helia.blockstore.has(cid)).toBe(false);
		// Paired later (e.g. the user's node, known once its delegates are dialled): its held want
		// is answered without it asking again.
		policy.pair(stranger.peerId);
		expect(await asked).toEqual(data);
	});

	it('serves anyone connected when serving the public network is on', async () => {
		const data = bytes(64 * 1024, 12);
		const { cid, ws } = await serverWith(data, () => true);
		const stranger = await peer();
		await stranger.helia.libp2p.dial(multiaddr(ws));
		expect(await fetches(stranger, cid, 20_000)).toEqual(data);
	});

	it('an unpaired peer gets nothing within the time it waits', async () => {
		const data = bytes(64 * 1024, 13);
		const { cid, ws } = await serverWith(data, () => false);
		const stranger = await peer();
		await stranger.helia.libp2p.dial(multiaddr(ws));
		expect(await fetches(stranger, cid, 5000)).toBeNull();
	});
});
