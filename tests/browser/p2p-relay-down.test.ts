/**
 * A relay that is down: the peer still starts (fetching by CID, gateways, WebRTC from others keep
 * working) and "Send to another device" says within a bounded time that no relay answered.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterAll, expect, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { Peer } from '../../src/lib/p2p/peer';

let peer: Peer | undefined;
afterAll(async () => {
	await peer?.stop();
});

test('a relay that is down: the peer starts, and reachableAddrs says no relay answered within its bound', async () => {
	const relayId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
	// Port 9 on loopback (discard): nothing listens there, the dial is refused at once.
	const relay = `/ip4/127.0.0.1/tcp/9/ws/p2p/${relayId}`;
	peer = await Peer.start({
		relays: [relay],
		bootstrap: [],
		nodes: [],
		routers: [],
		gateways: [],
		servePublic: false,
		allowPrivate: () => false,
		uploadLimit: () => null
	});
	expect(peer.id).toMatch(/^12D3KooW/);
	const started = performance.now();
	const error = await peer.reachableAddrs(3000).then(
		() => null,
		(cause: unknown) => cause
	);
	expect(AppError.is(error, 'P2P_UNREACHABLE')).toBe(true);
	expect((error as AppError).message).toBe(
		'No relay answered, so other devices cannot reach this one. Check the connection and try again.'
	);
	expect(performance.now() - started).toBeLessThan(30_000);
});
