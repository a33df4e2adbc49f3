/**
 * The node's IPFS Pinning Service API, against the spec, with real Helia peers
 * in Node as `origins` (they serve the blocks over libp2p/bitswap).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCitrateNode, type CitrateNode } from '../../scripts/ipfs-node/node';
import type { PinResults, PinStatus } from '../../src/lib/pinning/spec';
import { addFile, bytes, collect, startTestPeer, type TestPeer } from './peers';

const TOKEN = 'test-token-0123456789abcdef';
const running: Array<CitrateNode | TestPeer> = [];
afterEach(async () => {
	await Promise.allSettled(running.splice(0).map((n) => n.stop()));
});

async function pinningNode(stallTimeoutMs = 20_000) {
	const n = await startCitrateNode({
		tcpPort: false,
		pinningApi: { port: 0, token: TOKEN, stallTimeoutMs }
	});
	running.push(n);
	return n;
}
async function peer() {
	const p = await startTestPeer();
	running.push(p);
	return p;
}

function api(n: CitrateNode, path: string, init: RequestInit = {}, token = TOKEN) {
	return fetch(`${n.pinningApiUrl}${path}`, {
		...init,
		headers: {
			Authorization: `Bearer ${token}`,
			'Content-Type': 'application/json',
			...init.headers
		}
	});
}
async function post(n: CitrateNode, path: string, body: unknown): Promise<PinStatus> {
	const res = await api(n, path, { method: 'POST', body: JSON.stringify(body) });
	expect(res.status).toBe(202);
	return (await res.json()) as PinStatus;
}
async function settled(n: CitrateNode, id: string): Promise<PinStatus> {
	let last: PinStatus | undefined;
	await expect
		.poll(
			async () => {
				last = (await (await api(n, `/pins/${id}`)).json()) as PinStatus;
				return last.status === 'pinned' || last.status === 'failed';
			},
			{ timeout: 60_000, interval: 200 }
		)
		.toBe(true);
	return last!;
}

describe('Pinning Service API on the Citrate node', () => {
	it('refuses calls without the right bearer token (401) and answers CORS preflights', async () => {
		const n = await pinningNode();
		expect((await fetch(`${n.pinningApiUrl}/pins`)).status).toBe(401);
		const wrong = await api(n, '/pins', {}, 'not-the-token-0000000000');
		expect(wrong.status).toBe(401);
		expect(((await wrong.json()) as { error: { reason: string } }).error.reason).toBe(
			'UNAUTHORIZED'
		);
		const pre = await fetch(`${n.pinningApiUrl}/pins`, { method: 'OPTIONS' });
		expect(pre.status).toBe(204);
		expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
		expect(pre.headers.get('access-control-allow-origin')).toBe('*');
	});

	it('pins a CID by fetching every block from its origins over bitswap, then lists it', async () => {
		const n = await pinningNode();
		const origin = await peer();
		const data = bytes(1_200_000, 7); // 5 leaves + a root
		const { cid, blocks } = await addFile(origin, data);
		const origins = origin.multiaddrs.filter((a) => a.includes('/ws/'));
		const created = await post(n, '/pins', {
			cid: cid.toString(),
			name: 'tiny-model.gguf',
			origins,
			meta: { app: 'citrate' }
		});
		expect(created.status).toMatch(/^(queued|pinning)$/);
		expect(created.pin).toEqual({
			cid: cid.toString(),
			name: 'tiny-model.gguf',
			origins,
			meta: { app: 'citrate' }
		});
		expect(created.delegates[0]).toBe(n.wsMultiaddrs[0]);
		expect(Date.parse(created.created)).not.toBeNaN();

		const done = await settled(n, created.requestid);
		expect(done.status).toBe('pinned');
		for (const b of blocks) expect(await n.helia.blockstore.has(b)).toBe(true);
		expect(await n.helia.pins.isPinned(cid)).toBe(true);
		// The origin goes away: the node still has every byte.
		await origin.stop();
		const root = await collect(n.helia.blockstore.get(cid));
		expect(root.length).toBeGreaterThan(0);

		const list = (await (await api(n, `/pins?cid=${cid}`)).json()) as PinResults;
		expect(list.count).toBe(1);
		expect(list.results[0].requestid).toBe(created.requestid);
		const byName = (await (await api(n, '/pins?name=TINY&match=ipartial')).json()) as PinResults;
		expect(byName.count).toBe(1);
		const queued = (await (await api(n, '/pins?status=queued,pinning')).json()) as PinResults;
		expect(queued.count).toBe(0);
	});

	it('reports failed, with the reason, when no origin has the blocks (bounded by the stall timeout)', async () => {
		const n = await pinningNode(1_500);
		const empty = await peer();
		const { cid } = await addFile(await peer(), bytes(1000, 8)); // a peer nobody dials
		const created = await post(n, '/pins', {
			cid: cid.toString(),
			origins: empty.multiaddrs.filter((a) => a.includes('/ws/'))
		});
		const done = await settled(n, created.requestid);
		expect(done.status).toBe('failed');
		expect(done.info?.status_details).toMatch(/no block arrived/);
		expect(await n.helia.pins.isPinned(cid)).toBe(false);
		const failed = (await (await api(n, '/pins?status=failed')).json()) as PinResults;
		expect(failed.results.map((r) => r.requestid)).toEqual([created.requestid]);
	});

	it('replaces and deletes pin requests; unknown ids are 404, bad input 400', async () => {
		const n = await pinningNode();
		const origin = await peer();
		const first = await addFile(origin, bytes(5000, 9));
		const second = await addFile(origin, bytes(6000, 10));
		const origins = origin.multiaddrs;
		const a = await post(n, '/pins', { cid: first.cid.toString(), origins });
		expect((await settled(n, a.requestid)).status).toBe('pinned');

		const b = await post(n, `/pins/${a.requestid}`, { cid: second.cid.toString(), origins });
		expect(b.requestid).not.toBe(a.requestid);
		expect((await api(n, `/pins/${a.requestid}`)).status).toBe(404);
		expect((await settled(n, b.requestid)).status).toBe('pinned');
		expect(await n.helia.pins.isPinned(first.cid)).toBe(false);

		const del = await api(n, `/pins/${b.requestid}`, { method: 'DELETE' });
		expect(del.status).toBe(202);
		expect((await api(n, `/pins/${b.requestid}`)).status).toBe(404);
		expect(await n.helia.pins.isPinned(second.cid)).toBe(false);

		const bad = await api(n, '/pins', {
			method: 'POST',
			body: JSON.stringify({ cid: 'not-a-cid' })
		});
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { reason: string } }).error.reason).toBe('BAD_REQUEST');
		expect((await api(n, '/pins?limit=5000')).status).toBe(400);
		expect((await api(n, '/pins?status=done')).status).toBe(400);
		const junk = await api(n, '/pins', { method: 'POST', body: '{' });
		expect(junk.status).toBe(400);
	});
});
