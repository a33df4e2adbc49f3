import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, describe, expect, it } from 'vitest';
import { startCitrateNode, type CitrateNode } from '../../scripts/ipfs-node/node';
import {
	bytes,
	collect,
	rawCid,
	startTestPeer,
	type TestPeer,
	type TestPeerOptions
} from './peers';

const running: Array<CitrateNode | TestPeer> = [];
afterEach(async () => {
	await Promise.allSettled(running.splice(0).map((n) => n.stop()));
});

async function node(...args: Parameters<typeof startCitrateNode>) {
	const n = await startCitrateNode(...args);
	running.push(n);
	return n;
}
async function peer(opts?: TestPeerOptions) {
	const p = await startTestPeer(opts);
	running.push(p);
	return p;
}

describe('Citrate node (npm run ipfs-node)', () => {
	it('listens on free WebSockets and TCP ports and reports its peer id and multiaddrs', async () => {
		const n = await node();
		expect(n.peerId).toMatch(/^12D3KooW/);
		expect(n.wsMultiaddrs).toHaveLength(1);
		expect(n.wsMultiaddrs[0]).toMatch(
			new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/[1-9]\\d*/ws/p2p/${n.peerId}$`)
		);
		expect(n.multiaddrs.some((a) => /\/tcp\/[1-9]\d*\/p2p\//.test(a) && !a.includes('/ws'))).toBe(
			true
		);
	});

	it('serves its blocks over bitswap to a peer that dials its WebSockets address', async () => {
		const n = await node();
		const data = bytes(300_000, 1);
		const cid = await rawCid(data);
		await n.helia.blockstore.put(cid, data);
		const p = await peer();
		await p.helia.libp2p.dial(multiaddr(n.wsMultiaddrs[0]));
		const got = await collect(p.helia.blockstore.get(cid, { signal: AbortSignal.timeout(20_000) }));
		expect(got).toEqual(data);
	});

	it('keeps its peer id and its blocks on disk across a restart', async () => {
		const repo = await mkdtemp(join(tmpdir(), 'citrate-node-'));
		try {
			const first = await startCitrateNode({ repo });
			const data = bytes(1000, 2);
			const cid = await rawCid(data);
			await first.helia.blockstore.put(cid, data);
			const id = first.peerId;
			await first.stop();
			const second = await node({ repo });
			expect(second.peerId).toBe(id);
			expect(await collect(second.helia.blockstore.get(cid))).toEqual(data);
		} finally {
			await rm(repo, { recursive: true, force: true });
		}
	});

	it('relays a model-sized transfer between two peers when the default limit is lifted', async () => {
		const relay = await node({ tcpPort: false, relay: { applyDefaultLimit: false } });
		const { a, b, cids, blocks } = await relayedPair(relay);
		for (const [i, cid] of cids.entries()) {
			const got = await collect(
				b.helia.blockstore.get(cid, { signal: AbortSignal.timeout(30_000) })
			);
			expect(got).toEqual(blocks[i]);
		}
		const conns = b.helia.libp2p.getConnections(a.helia.libp2p.peerId);
		expect(conns.length).toBeGreaterThan(0);
		expect(conns.every((c) => c.remoteAddr.toString().includes('/p2p-circuit'))).toBe(true);
	}, 120_000);

	it("stalls past libp2p's default 128 KiB relay limit when it is kept", async () => {
		const relay = await node({ tcpPort: false });
		const { b, cids } = await relayedPair(relay);
		const fetchAll = async () => {
			for (const cid of cids) {
				await collect(b.helia.blockstore.get(cid, { signal: AbortSignal.timeout(8_000) }));
			}
		};
		await expect(fetchAll()).rejects.toThrow();
	}, 120_000);
});

/** Peers a (holds 4 × 200 KB blocks) and b are reachable only through the relay; b dials a through it. */
async function relayedPair(relay: CitrateNode) {
	const a = await peer({ relayVia: relay.wsMultiaddrs[0] });
	const b = await peer({ relayVia: relay.wsMultiaddrs[0] });
	const blocks = [0, 1, 2, 3].map((i) => bytes(200_000, 10 + i));
	const cids = await Promise.all(blocks.map(rawCid));
	for (const [i, cid] of cids.entries()) await a.helia.blockstore.put(cid, blocks[i]);
	const circuit = a.multiaddrs.find((m) => m.includes('/p2p-circuit'));
	expect(circuit).toBe(`${relay.wsMultiaddrs[0]}/p2p-circuit/p2p/${a.peerId}`);
	await b.helia.libp2p.dial(multiaddr(circuit!), { signal: AbortSignal.timeout(15_000) });
	return { a, b, cids, blocks };
}
