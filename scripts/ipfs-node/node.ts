/**
 * The Citrate node: Helia on js-libp2p, in Node. A WebSockets listener for
 * the user's browsers, a TCP listener for other Node peers, a
 * circuit-relay-v2 server (so browsers can reach each other through it),
 * bitswap serving and fetching blocks, and a blockstore and datastore on disk
 * (so the peer id and the pinned blocks survive a restart).
 *
 * Built from Helia's core pieces (the core node + `withLibp2pLight` +
 * `withBitswap`) rather than `createHelia()`, which pulls in the HTTP stack
 * (undici 8, Node ≥ 22.19) and the DHT; this runs on Node 20 with the two
 * polyfills in `polyfills.ts` (see `helia-core.ts`).
 */
import './polyfills';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { withBitswap } from '@helia/bitswap';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { FsBlockstore } from 'blockstore-fs';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { FsDatastore } from 'datastore-fs';
import { createHeliaNode, type HeliaNode } from './helia-core';
import { startPinningApi } from './pinning/http';
import { Pinner, type PinnerOptions } from './pinning/pinner';
import { PinRequestStore } from './pinning/store';
import type { Libp2p } from '@libp2p/interface';
import type { Libp2pOptions } from 'libp2p';
import type { Multiaddr } from '@multiformats/multiaddr';

export interface CitrateNodeOptions {
	/** Folder for the blockstore and datastore; omit for an in-memory node (tests). */
	repo?: string;
	/** Host to listen on. Default 127.0.0.1 (put a TLS proxy in front for other machines). */
	host?: string;
	/** WebSockets port; 0 picks a free one. Default 0. */
	wsPort?: number;
	/** TCP port (Node peers, kubo); 0 picks a free one, `false` for none. Default 0. */
	tcpPort?: number | false;
	/** Extra libp2p listen multiaddrs, added to the ones above. */
	listen?: string[];
	/** Addresses to announce instead of the listen ones, e.g. `/dns4/ipfs.example.org/tcp/443/wss`. */
	announce?: string[];
	relay?: {
		/** Run the circuit-relay-v2 server. Default true. */
		enabled?: boolean;
		/**
		 * libp2p's default limit on a relayed connection (128 KiB, 2 min) stalls
		 * any model transfer over the relay; `false` lifts it (the user's own
		 * relay for the user's own devices). Default true (libp2p's default).
		 */
		applyDefaultLimit?: boolean;
		/** At most this many reservations at once. Default 64. */
		maxReservations?: number;
	};
	/** At most this many open connections. Default 128. */
	maxConnections?: number;
	/** Serve the IPFS Pinning Service API (HTTP, on `host`). Off when omitted. */
	pinningApi?: {
		/** 0 picks a free port. */
		port: number;
		/** The bearer token clients must send (at least 16 characters). */
		token: string;
	} & PinnerOptions;
}

export type CitrateHelia = HeliaNode;

export interface CitrateNode {
	helia: CitrateHelia;
	libp2p: Libp2p;
	peerId: string;
	/** The addresses it listens on (with `/p2p/<peer id>`), as strings. */
	multiaddrs: string[];
	/** The WebSockets ones only: what a browser dials. */
	wsMultiaddrs: string[];
	/** The Pinning Service API's base URL (`…/pins` is the endpoint), when it runs. */
	pinningApiUrl?: string;
	stop(): Promise<void>;
}

function listenAddrs(o: CitrateNodeOptions): string[] {
	const host = o.host ?? '127.0.0.1';
	const ip = host.includes(':') ? 'ip6' : 'ip4';
	const addrs = [`/${ip}/${host}/tcp/${o.wsPort ?? 0}/ws`];
	if (o.tcpPort !== false) addrs.push(`/${ip}/${host}/tcp/${o.tcpPort ?? 0}`);
	return [...addrs, ...(o.listen ?? [])];
}

async function stores(repo: string | undefined) {
	if (repo === undefined)
		return { blockstore: new MemoryBlockstore(), datastore: new MemoryDatastore() };
	await mkdir(repo, { recursive: true });
	const blockstore = new FsBlockstore(join(repo, 'blocks'));
	const datastore = new FsDatastore(join(repo, 'datastore'));
	await blockstore.open();
	await datastore.open();
	return { blockstore, datastore };
}

export async function startCitrateNode(options: CitrateNodeOptions = {}): Promise<CitrateNode> {
	const { blockstore, datastore } = await stores(options.repo);
	const relay = options.relay ?? {};
	const services: NonNullable<Libp2pOptions['services']> = { identify: identify(), ping: ping() };
	if (relay.enabled ?? true) {
		services.relay = circuitRelayServer({
			reservations: {
				applyDefaultLimit: relay.applyDefaultLimit ?? true,
				maxReservations: relay.maxReservations ?? 64
			}
		});
	}
	const helia = withBitswap(
		await createHeliaNode(
			{ blockstore, datastore },
			{
				addresses: { listen: listenAddrs(options), announce: options.announce },
				transports: [webSockets(), tcp()],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				connectionManager: { maxConnections: options.maxConnections ?? 128 },
				services
			}
		),
		{ runOnLimitedConnections: true, maxInboundStreams: 64 }
	);
	await helia.start();
	const libp2p = helia.libp2p;
	const addrs = () => libp2p.getMultiaddrs().map((m: Multiaddr) => m.toString());
	const multiaddrs = addrs();
	const wsMultiaddrs = multiaddrs.filter((a) => /\/wss?\//.test(a + '/'));
	let api: { url: string; close(): Promise<void> } | undefined;
	let pinner: Pinner | undefined;
	if (options.pinningApi !== undefined) {
		const { port, token, ...pinnerOptions } = options.pinningApi;
		const store = new PinRequestStore(datastore);
		// Delegates: the node's own addresses, WebSockets first (what a browser can dial).
		const delegates = () => {
			const all = addrs();
			return [
				...all.filter((a) => /\/wss?\//.test(a + '/')),
				...all.filter((a) => !/\/wss?\//.test(a + '/'))
			];
		};
		pinner = new Pinner(helia, store, delegates, pinnerOptions);
		await pinner.resume();
		api = await startPinningApi({ host: options.host ?? '127.0.0.1', port, token, pinner, store });
	}
	return {
		helia,
		libp2p,
		peerId: libp2p.peerId.toString(),
		multiaddrs,
		wsMultiaddrs,
		pinningApiUrl: api?.url,
		async stop() {
			pinner?.stop();
			await api?.close();
			await helia.stop();
			if (blockstore instanceof FsBlockstore) await blockstore.close();
			if (datastore instanceof FsDatastore) await datastore.close();
		}
	};
}
