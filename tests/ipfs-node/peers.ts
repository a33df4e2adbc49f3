/**
 * Plain Helia peers in Node for the node's tests (and later the pinning tests'
 * `origins`): in memory, WebSockets + TCP + circuit-relay client (dials
 * `/p2p-circuit` addresses; listens through a relay when asked).
 * Same stack as the node (Helia core, js-libp2p, bitswap); no relay server.
 */
import '../../scripts/ipfs-node/polyfills';
import { withBitswap } from '@helia/bitswap';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { MemoryBlockstore } from 'blockstore-core';
import type { BaseBlockstore } from 'blockstore-core/base';
import { afterEach } from 'vitest';
import { MemoryDatastore } from 'datastore-core';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { importer } from 'ipfs-unixfs-importer';
import { createHeliaNode, type HeliaNode } from '../../scripts/ipfs-node/helia-core';
import { kuboImporterOptions } from '../../src/lib/ipfs/importer';

export interface TestPeer {
	helia: HeliaNode;
	peerId: string;
	multiaddrs: string[];
	stop(): Promise<void>;
}

export interface TestPeerOptions {
	/** A relay's multiaddr: the peer reserves a slot there and is reachable only through it. */
	relayVia?: string;
}

export async function startTestPeer(opts: TestPeerOptions = {}): Promise<TestPeer> {
	const listen =
		opts.relayVia === undefined
			? ['/ip4/127.0.0.1/tcp/0/ws', '/ip4/127.0.0.1/tcp/0']
			: [`${opts.relayVia}/p2p-circuit`];
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore: new MemoryBlockstore(), datastore: new MemoryDatastore() },
			{
				addresses: { listen },
				transports: [webSockets(), tcp(), circuitRelayTransport()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				services: { identify: identify() }
			}
		),
		{ runOnLimitedConnections: true }
	);
	await helia.start();
	return {
		helia,
		peerId: helia.libp2p.peerId.toString(),
		multiaddrs: helia.libp2p.getMultiaddrs().map((m) => m.toString()),
		stop: async () => void (await helia.stop())
	};
}

/**
 * A started Helia node with bitswap over WebSockets on loopback, on `blockstore`; `deny`: the
 * peers its gater turns away.
 */
export async function startWsNode(
	blockstore: BaseBlockstore,
	deny?: (peer: string) => boolean
): Promise<HeliaNode> {
	const denyPeer = deny ? (peer: { toString(): string }) => deny(peer.toString()) : undefined;
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore, datastore: new MemoryDatastore() },
			{
				addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
				transports: [webSockets()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				services: { identify: identify() },
				connectionGater: denyPeer
					? {
							denyDialPeer: denyPeer,
							denyInboundEncryptedConnection: denyPeer,
							denyOutboundEncryptedConnection: denyPeer
						}
					: undefined
			}
		)
	);
	await helia.start();
	return helia;
}

/** `startWsNode` for one test file: every node it started is stopped after each test. */
export function wsNodesStoppedAfterEach() {
	const running: HeliaNode[] = [];
	afterEach(async () => {
		await Promise.allSettled(running.splice(0).map((helia) => helia.stop()));
	});
	return async (blockstore: BaseBlockstore, deny?: (peer: string) => boolean) => {
		const helia = await startWsNode(blockstore, deny);
		running.push(helia);
		return helia;
	};
}

/** Deterministic pseudo-random bytes (no two blocks alike, no Math.random). */
export function bytes(length: number, seed: number): Uint8Array {
	const out = new Uint8Array(length);
	let x = seed * 2654435761 + 1;
	for (let i = 0; i < length; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

export async function rawCid(data: Uint8Array): Promise<CID> {
	return CID.createV1(raw.code, await sha256.digest(data));
}

export async function collect(
	parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	for await (const p of parts) chunks.push(p);
	return new Uint8Array(Buffer.concat(chunks));
}

/** Imports `data` as a kubo-compatible UnixFS file (CIDv1, raw leaves, 256 KiB chunks) into a peer. */
export async function addFile(
	peer: TestPeer,
	data: Uint8Array
): Promise<{ cid: CID; blocks: CID[] }> {
	const blocks: CID[] = [];
	const sink = {
		put: async (cid: CID, bytes: Uint8Array) => {
			blocks.push(cid);
			await peer.helia.blockstore.put(cid, bytes);
			return cid;
		}
	};
	let root: CID | undefined;
	for await (const entry of importer([{ content: data }], sink, kuboImporterOptions())) {
		root = entry.cid;
	}
	if (root === undefined) throw new Error('nothing imported');
	return { cid: root, blocks };
}
