/**
 * Add by CID from anywhere: the configured gateway first, then this browser's peer (connected
 * peers, routing). A CID that nobody provides gives a clear message within a bounded time and
 * registers nothing.
 */
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, expect, inject, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { closeIpfs } from '../../src/lib/ipfs';
import { fetchByCidAnywhere } from '../../src/lib/p2p';
import { Peer } from '../../src/lib/p2p/peer';
import { listLocalModels } from '../../src/lib/storage';

const gateway = inject('ipfsGatewayUrl');

let peer: Peer | undefined;
let asked = 0;

afterAll(async () => {
	await peer?.stop();
	await closeIpfs();
});

/** A peer with nothing configured: no relay, bootstrap peer, router or gateway (loopback only). */
async function quietPeer(): Promise<Peer> {
	asked++;
	peer ??= await Peer.start({
		relays: [],
		bootstrap: [],
		nodes: [],
		routers: [],
		gateways: [],
		servePublic: false,
		allowPrivate: () => false,
		uploadLimit: () => null
	});
	return peer;
}

test('a CID nobody provides (not on the gateway, no peer has it): a clear message within the bound, nothing registered', async () => {
	const bytes = crypto.getRandomValues(new Uint8Array(4096));
	const cid = CID.createV1(raw.code, await sha256.digest(bytes)).toString();
	const started = performance.now();
	const error = await fetchByCidAnywhere(
		{ cid, gateways: [gateway] },
		{ findMs: 4000, peer: quietPeer }
	).then(
		() => null,
		(cause: unknown) => cause
	);
	const elapsed = performance.now() - started;
	expect(AppError.is(error, 'IPFS_NOT_FOUND')).toBe(true);
	expect((error as AppError).message).toMatch(/^Nobody provides this CID: .* within 4 seconds/);
	expect((error as AppError).message).toContain('Nothing was added.');
	// The gateway was asked first, then the peer (started on demand) for the bounded time.
	expect(asked).toBe(1);
	expect(elapsed).toBeGreaterThanOrEqual(4000);
	expect(elapsed).toBeLessThan(45_000);
	expect((await listLocalModels()).filter((model) => model.cid === cid)).toEqual([]);
});
