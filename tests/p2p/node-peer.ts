/**
 * An IPFS peer in Node for the peer-to-peer e2e, for tests only: Helia core + js-libp2p + bitswap
 * (the stack of `scripts/ipfs-node`). Modes:
 * - `corrupt` (default): claims every CID and answers each bitswap want with wrong bytes under
 *   that CID's prefix (a peer sending corrupted blocks);
 * - `stall`: claims every CID and never answers a want (a peer that stopped sending);
 * - `fetch --want <cid>`: an ordinary peer nobody paired, asking for a CID once connected.
 *
 *   npx tsx tests/p2p/node-peer.ts --dial <multiaddr with /p2p/<id>>   dials one peer, stays connected
 *   npx tsx tests/p2p/node-peer.ts --mode stall --listen <relay multiaddr>   reachable through a relay
 *   npx tsx tests/p2p/node-peer.ts --mode fetch --want <cid> --dial <multiaddr>
 *
 * Prints `peer <peer id>` when started, `peer listening` once its relay reservation is made,
 * `peer connected` once the dial succeeded (retried until then), `peer sent <n> corrupted blocks`
 * per answered want, `peer stalls <cid>` per want left unanswered, `peer fetched <cid>` or
 * `peer got nothing for <cid> in <ms> ms`, and `peer disconnected` when the dialled peer hangs up.
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
import { MemoryBlockstore } from 'blockstore-core';
import { BaseBlockstore } from 'blockstore-core/base';
import { MemoryDatastore } from 'datastore-core';
import { CID } from 'multiformats/cid';
import { createHeliaNode } from '../../scripts/ipfs-node/helia-core';

/** Claims every block; every block it gives is wrong (its bytes hash to some other CID), or never comes. */
class LyingBlockstore extends BaseBlockstore {
	sent = 0;
	onSent: (count: number) => void = () => {};
	stall = false;

	override has(): Promise<boolean> {
		return Promise.resolve(true);
	}

	override async *get(key: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
		if (this.stall) {
			console.log(`peer stalls ${key.toString()}`);
			await new Promise((_, reject) =>
				options?.signal?.addEventListener('abort', () => reject(options.signal?.reason as Error))
			);
		}
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
	const { values } = parseArgs({
		options: {
			dial: { type: 'string' },
			listen: { type: 'string' },
			mode: { type: 'string', default: 'corrupt' },
			want: { type: 'string' },
			within: { type: 'string', default: '10000' }
		}
	});
	if (!values.dial && !values.listen) throw new Error('--dial or --listen <multiaddr> is required');
	const lying = new LyingBlockstore();
	lying.stall = values.mode === 'stall';
	lying.onSent = (count) => console.log(`peer sent ${count} corrupted blocks`);
	const blockstore = values.mode === 'fetch' ? new MemoryBlockstore() : lying;
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore, datastore: new MemoryDatastore() },
			{
				addresses: { listen: values.listen ? [`${values.listen}/p2p-circuit`] : [] },
				transports: [webSockets(), circuitRelayTransport()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				services: { identify: identify() }
			}
		),
		{ runOnLimitedConnections: true }
	);
	await helia.start();
	console.log(`peer ${helia.libp2p.peerId.toString()}`);
	for (const signal of ['SIGINT', 'SIGTERM'] as const)
		process.on(signal, () => void helia.stop().then(() => process.exit(0)));
	if (values.listen) {
		while (!helia.libp2p.getMultiaddrs().some((addr) => addr.toString().includes('/p2p-circuit')))
			await new Promise((resolve) => setTimeout(resolve, 200));
		console.log('peer listening');
	}
	if (!values.dial) return;
	const target = multiaddr(values.dial);
	const targetPeer = target.getComponents().findLast((c) => c.name === 'p2p')?.value;
	const connect = async () => {
		for (;;) {
			try {
				await helia.libp2p.dial(target, { signal: AbortSignal.timeout(60_000) });
				console.log('peer connected');
				return;
			} catch (error) {
				console.log(`peer dial failed, retrying: ${String(error)}`);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		}
	};
	helia.libp2p.addEventListener('peer:disconnect', (event) => {
		if (event.detail.toString() !== targetPeer) return;
		console.log('peer disconnected');
		// Dropped before it could lie (a connection lost on a loaded machine): connect again.
		if (lying.sent === 0 && values.mode !== 'fetch') void connect();
	});
	// What happens to its connections, for a failing test's output.
	for (const type of ['connection:open', 'connection:close'] as const)
		helia.libp2p.addEventListener(type, (event) =>
			console.log(
				`peer ${type} ${event.detail.remoteAddr.toString()} ${event.detail.direction} at ${new Date().toISOString()}`
			)
		);
	await connect();
	if (values.mode !== 'fetch' || !values.want) return;
	const cid = CID.parse(values.want);
	const within = Number(values.within);
	try {
		for await (const _ of helia.blockstore.get(cid, { signal: AbortSignal.timeout(within) }));
		console.log(`peer fetched ${values.want}`);
	} catch {
		console.log(`peer got nothing for ${values.want} in ${within} ms`);
	}
}

await main();
