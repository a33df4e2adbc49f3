/**
 * A dishonest IPFS peer, for tests only: Helia core + js-libp2p + bitswap in Node (the stack of
 * `scripts/ipfs-node`), whose blockstore claims every CID and answers each bitswap want with
 * wrong bytes under that CID's prefix. It dials one peer (through a relay) and stays connected.
 *
 *   npx tsx tests/p2p/liar-node.ts --dial <multiaddr with /p2p/<id>>
 *
 * Prints `liar <peer id>` when started, `liar connected` once the dial succeeded (retried until
 * then), `liar sent <n> corrupted blocks` per answered want and `liar disconnected` when the other
 * side hangs up.
 */
import '../../scripts/ipfs-node/polyfills';
import { parseArgs } from 'node:util';
import { withBitswap } from '@helia/bitswap';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { BaseBlockstore } from 'blockstore-core/base';
import { MemoryDatastore } from 'datastore-core';
import type { CID } from 'multiformats/cid';
import { createHeliaNode } from '../../scripts/ipfs-node/helia-core';

/** Has every block; every block it gives is wrong (its bytes hash to some other CID). */
class LyingBlockstore extends BaseBlockstore {
	sent = 0;
	onSent: (count: number) => void = () => {};

	override has(): Promise<boolean> {
		return Promise.resolve(true);
	}

	override async *get(key: CID): AsyncGenerator<Uint8Array> {
		const bytes = new Uint8Array(512);
		const seed = key.multihash.digest;
		for (let i = 0; i < bytes.length; i++) bytes[i] = (seed[i % seed.length] ?? 0) ^ 0x5a;
		this.onSent(++this.sent);
		yield bytes;
	}

	override put(key: CID): Promise<CID> {
		return Promise.resolve(key);
	}
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { dial: { type: 'string' } } });
	if (!values.dial) throw new Error('--dial <multiaddr> is required');
	const target = multiaddr(values.dial);
	const blockstore = new LyingBlockstore();
	blockstore.onSent = (count) => console.log(`liar sent ${count} corrupted blocks`);
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore, datastore: new MemoryDatastore() },
			{
				transports: [webSockets(), circuitRelayTransport()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				services: { identify: identify() }
			}
		),
		{ runOnLimitedConnections: true }
	);
	await helia.start();
	console.log(`liar ${helia.libp2p.peerId.toString()}`);
	const targetPeer = target.getComponents().findLast((c) => c.name === 'p2p')?.value;
	const connect = async () => {
		for (;;) {
			try {
				await helia.libp2p.dial(target, { signal: AbortSignal.timeout(60_000) });
				console.log('liar connected');
				return;
			} catch (error) {
				console.log(`liar dial failed, retrying: ${String(error)}`);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		}
	};
	helia.libp2p.addEventListener('peer:disconnect', (event) => {
		if (event.detail.toString() !== targetPeer) return;
		console.log('liar disconnected');
		// Dropped before it could lie (a connection lost on a loaded machine): connect again.
		if (blockstore.sent === 0) void connect();
	});
	// What happens to its connections, for a failing test's output.
	for (const type of ['connection:open', 'connection:close'] as const)
		helia.libp2p.addEventListener(type, (event) =>
			console.log(
				`liar ${type} ${event.detail.remoteAddr.toString()} ${event.detail.direction} at ${new Date().toISOString()}`
			)
		);
	await connect();
	for (const signal of ['SIGINT', 'SIGTERM'] as const)
		process.on(signal, () => void helia.stop().then(() => process.exit(0)));
}

await main();
