/**
 * The browser half of `npm run bench:p2p` (driven by bench/p2p.ts through Playwright).
 *
 * - `app*`: Citrate's own code. The sender imports the model the way a download ends (segments in
 *   OPFS, SHA-256, `pinLocalModel`: the Filestore) and serves it from its `Peer`; the receiver
 *   runs the code behind Receive (`receiveOffer`) or Add by CID (`fetchByCidWith`): bitswap on the
 *   page, each block verified again in the Helia worker, written into OPFS, the file's SHA-256
 *   checked against the record, pinned and registered.
 * - `bare*`: plain Helia + libp2p with the same transports (WebSockets, WebRTC, circuit relay
 *   client), noise, yamux, bitswap with its defaults and an in-memory blockstore; the receiver
 *   walks the DAG as the UnixFS exporter does (every child of a node asked at once), nothing
 *   written, no Citrate code.
 */
import { withBitswap } from '@helia/bitswap';
import { withLibp2pLight } from '@helia/libp2p';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import type { Connection } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import * as dagPb from '@ipld/dag-pb';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { createHeliaLight } from 'helia';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { fetchByCidWith } from '../src/lib/p2p';
import { offerFor } from '../src/lib/p2p/offer';
import { Peer } from '../src/lib/p2p/peer';
import { receiveOffer } from '../src/lib/p2p/receive';
import type { ShareOffer } from '../src/lib/p2p/share-link';
import { fetchFromSource, listPins, pinLocalModel } from '../src/lib/ipfs';
import { registerLocalModel, storeModelFile } from '../src/lib/storage';
import type { LocalModel } from '../src/lib/storage';

export type Path = 'webrtc' | 'relayed' | 'node';

export interface Transfer {
	/** Dialing the source until the connection is open (ms). */
	connectMs: number;
	/** From asking for the CID until its first block arrived (ms). */
	firstBlockMs: number;
	/** From asking for the CID until the model is usable (app: verified, written, registered). */
	transferMs: number;
	bytes: number;
	mibPerSecond: number;
	/** How the connection to the source runs (webrtc, relayed, websockets). */
	kind: string;
	/** Blocks that came over the network, and from which connection kinds. */
	blocks: number;
	sourceKinds: string[];
	/** App only: the SHA-256 the receiver computed of the file it wrote. */
	sha256?: string;
}

const MIB = 1024 * 1024;
let appPeer: Peer | undefined;
let bare: Awaited<ReturnType<typeof bareNode>> | undefined;

function peerOptions(relay: string) {
	return {
		relays: [relay],
		bootstrap: [],
		nodes: [],
		routers: [],
		gateways: [],
		servePublic: false,
		allowPrivate: () => false
	};
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function modelBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
	return new Uint8Array(await response.arrayBuffer());
}

/** App sender: the model stored and pinned as a finished download is, then offered. */
async function appSend(url: string, relay: string): Promise<ShareOffer> {
	const bytes = await modelBytes(url);
	const path = 'bench-p2p-Q8_0.gguf';
	const target = { repoId: 'citrate-bench/p2p-GGUF', revision: 'main', path };
	await storeModelFile(target, new Blob([bytes]));
	const model: LocalModel = {
		id: `${target.repoId}@main:Q8_0`,
		repoId: target.repoId,
		revision: target.revision,
		variant: 'Q8_0',
		files: [{ path, size: bytes.byteLength, sha256: await sha256Hex(bytes) }],
		totalBytes: bytes.byteLength,
		source: 'hub',
		addedAt: Date.now()
	};
	await registerLocalModel(model);
	const cid = await pinLocalModel(model);
	appPeer ??= await Peer.start(peerOptions(relay));
	return offerFor(
		{ ...model, cid },
		{ id: appPeer.id, addrs: await appPeer.reachableAddrs(60_000) }
	);
}

/**
 * App receiver. `receive`: the Receive page's path (`receiveOffer`, WebRTC first, the relayed
 * connection otherwise); `add`: Add by CID from the user's node (`fetchByCidWith`).
 */
async function appReceive(
	offer: ShareOffer,
	relay: string,
	how: 'receive' | 'add'
): Promise<Transfer> {
	appPeer ??= await Peer.start(peerOptions(relay));
	const peer = appPeer;
	let asked = 0;
	let first = 0;
	let blocks = 0;
	const kinds = new Set<string>();
	// The same peer, timed: when the first block arrives and where blocks come from.
	const timed = {
		connect: (...args: Parameters<Peer['connect']>) => peer.connect(...args),
		block: async (...args: Parameters<Peer['block']>) => {
			const received = await peer.block(...args);
			if (first === 0) first = performance.now();
			blocks++;
			kinds.add(received.from.kind);
			return received;
		}
	} as unknown as Peer;
	// The Helia worker is started before the clock: under this dev server its modules load one by
	// one, which the built app's single worker file does not.
	await listPins();
	const dialStarted = performance.now();
	const connection = await peer.connect(offer.peer, { timeoutMs: 60_000 });
	const connectMs = performance.now() - dialStarted;
	asked = performance.now();
	const result =
		how === 'receive'
			? await receiveOffer(timed, offer)
			: await fetchByCidWith(timed, { cid: offer.cid, gateways: [], record: offer.model });
	const transferMs = performance.now() - asked;
	const file = result.model.files[0];
	const bytes = result.model.totalBytes;
	return {
		connectMs,
		firstBlockMs: first - asked,
		transferMs,
		bytes,
		mibPerSecond: bytes / MIB / (transferMs / 1000),
		kind: connection.kind,
		blocks,
		sourceKinds: [...kinds],
		sha256: file?.sha256
	};
}

/** Plain Helia + libp2p, the app's transports, bitswap's defaults, blocks in memory. */
async function bareNode(relay: string) {
	const helia = withBitswap(
		withLibp2pLight(createHeliaLight({ blockstore: new MemoryBlockstore() }), {
			addresses: { listen: [`${relay}/p2p-circuit`, '/webrtc'] },
			transports: [webSockets(), webRTC(), circuitRelayTransport()],
			connectionEncrypters: [noise()],
			streamMuxers: [yamux()],
			// libp2p's default gater refuses ws:// and private addresses: the bench's are both.
			connectionGater: { denyDialMultiaddr: () => false },
			services: { identify: identify() }
		}),
		{ runOnLimitedConnections: true }
	);
	await helia.start();
	return helia;
}

async function circuitAddrs(node: NonNullable<typeof bare>, timeoutMs: number): Promise<string[]> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const addrs = node.libp2p
			.getMultiaddrs()
			.map((addr) => addr.toString())
			.filter((addr) => addr.includes('/p2p-circuit'));
		if (addrs.some((addr) => addr.includes('/webrtc'))) return addrs;
		if (performance.now() > deadline) throw new Error('no relay reservation in time');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Bare sender: the same bytes imported with kubo's settings into memory. */
async function bareSend(url: string, relay: string): Promise<{ cid: string; addrs: string[] }> {
	const bytes = await modelBytes(url);
	bare ??= await bareNode(relay);
	let root: CID | undefined;
	for await (const entry of importer([{ content: bytes }], bare.blockstore, {
		cidVersion: 1,
		rawLeaves: true,
		reduceSingleLeafToSelf: true,
		chunker: fixedSize({ chunkSize: 262_144 }),
		layout: balanced({ maxChildrenPerNode: 174 }),
		wrapWithDirectory: false
	}))
		root = entry.cid;
	if (!root) throw new Error('nothing imported');
	return { cid: root.toString(), addrs: await circuitAddrs(bare, 60_000) };
}

/**
 * Every block of a DAG through `get`, with at most `window` blocks asked at once (the app's
 * receive keeps 32 leaves in flight; the same here). Returns the leaves' bytes and the blocks.
 */
async function walkDag(
	root: CID,
	get: (cid: CID) => Promise<Uint8Array>,
	window: number,
	onBlock: () => void
): Promise<{ bytes: number; blocks: number }> {
	let bytes = 0;
	let blocks = 0;
	let running = 0;
	const waiting: (() => void)[] = [];
	const limited = async (cid: CID): Promise<Uint8Array> => {
		// A slot: a free one, or the one a finished get hands over.
		if (running < window) running++;
		else await new Promise<void>((resolve) => waiting.push(resolve));
		try {
			const block = await get(cid);
			onBlock();
			blocks++;
			if (cid.code === raw.code) bytes += block.byteLength;
			return block;
		} finally {
			const next = waiting.shift();
			if (next) next();
			else running--;
		}
	};
	const walk = async (cid: CID): Promise<void> => {
		const block = await limited(cid);
		if (cid.code === raw.code) return;
		await Promise.all(dagPb.decode(block).Links.map((link) => walk(link.Hash)));
	};
	await walk(root);
	return { bytes, blocks };
}

/** Bare receiver: dial `addr`, then every block of the DAG (`window` at once). */
async function bareReceive(
	cidText: string,
	addr: string,
	relay: string,
	window = 32
): Promise<Transfer> {
	bare ??= await bareNode(relay);
	const node = bare;
	const dialStarted = performance.now();
	const connection: Connection = await node.libp2p.dial(multiaddr(addr), {
		signal: AbortSignal.timeout(60_000)
	});
	const connectMs = performance.now() - dialStarted;
	const asked = performance.now();
	let first = 0;
	const get = async (cid: CID): Promise<Uint8Array> => {
		const parts: Uint8Array[] = [];
		for await (const part of node.blockstore.get(cid, { signal: AbortSignal.timeout(120_000) }))
			parts.push(part);
		return parts.length === 1 ? parts[0]! : concat(parts);
	};
	const { bytes, blocks } = await walkDag(CID.parse(cidText), get, window, () => {
		if (first === 0) first = performance.now();
	});
	const transferMs = performance.now() - asked;
	return {
		connectMs,
		firstBlockMs: first - asked,
		transferMs,
		bytes,
		mibPerSecond: bytes / MIB / (transferMs / 1000),
		kind: bareKind(connection),
		blocks,
		sourceKinds: [bareKind(connection)]
	};
}

/**
 * Profile only (`BENCH_P2P_PROFILE=1`): Citrate's page-side `Peer` alone — its bitswap settings,
 * block guard and blockstore — fetching every block as bare does, with no worker, no OPFS, no
 * file hash. Separates the peer's cost from the model pipeline's.
 */
async function peerReceive(offer: ShareOffer, relay: string, window = 32): Promise<Transfer> {
	appPeer ??= await Peer.start(peerOptions(relay));
	const peer = appPeer;
	const dialStarted = performance.now();
	const connection = await peer.connect(offer.peer, { timeoutMs: 60_000 });
	const connectMs = performance.now() - dialStarted;
	const asked = performance.now();
	let first = 0;
	const kinds = new Set<string>();
	const get = async (cid: CID) => {
		const received = await peer.block(cid.toString());
		kinds.add(received.from.kind);
		return received.bytes;
	};
	const { bytes, blocks } = await walkDag(CID.parse(offer.cid), get, window, () => {
		if (first === 0) first = performance.now();
	});
	const transferMs = performance.now() - asked;
	return {
		connectMs,
		firstBlockMs: first - asked,
		transferMs,
		bytes,
		mibPerSecond: bytes / MIB / (transferMs / 1000),
		kind: connection.kind,
		blocks,
		sourceKinds: [...kinds]
	};
}

/**
 * Profile only: the app's model pipeline (Helia worker: block check, SHA-256, OPFS, pin,
 * register) fed from memory — the same blocks, no network — to see what the pipeline alone takes.
 */
async function pipeReceive(url: string, offer: ShareOffer): Promise<Transfer> {
	const bytes = await modelBytes(url);
	const blocks = new Map<string, Uint8Array>();
	const sink = {
		put: async (cid: CID, block: Uint8Array) => {
			blocks.set(cid.toString(), block.slice());
			return cid;
		}
	};
	for await (const _ of importer([{ content: bytes }], sink as never, {
		cidVersion: 1,
		rawLeaves: true,
		reduceSingleLeafToSelf: true,
		chunker: fixedSize({ chunkSize: 262_144 }),
		layout: balanced({ maxChildrenPerNode: 174 }),
		wrapWithDirectory: false
	}));
	await listPins();
	let first = 0;
	let count = 0;
	const asked = performance.now();
	const result = await fetchFromSource(
		{ cid: offer.cid, gateways: [], record: offer.model },
		async (cid) => {
			const block = blocks.get(cid);
			if (!block) throw new Error(`no block ${cid}`);
			if (first === 0) first = performance.now();
			count++;
			return block;
		}
	);
	const transferMs = performance.now() - asked;
	return {
		connectMs: 0,
		firstBlockMs: first - asked,
		transferMs,
		bytes: result.model.totalBytes,
		mibPerSecond: result.model.totalBytes / MIB / (transferMs / 1000),
		kind: 'memory',
		blocks: count,
		sourceKinds: ['memory'],
		sha256: result.model.files[0]?.sha256
	};
}

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.byteLength;
	}
	return out;
}

function bareKind(connection: Connection): string {
	const addr = connection.remoteAddr.toString();
	return addr.includes('/webrtc')
		? 'webrtc'
		: addr.includes('/p2p-circuit')
			? 'relayed'
			: 'websockets';
}

async function stop(): Promise<void> {
	await appPeer?.stop();
	await bare?.stop();
	appPeer = undefined;
	bare = undefined;
}

const api = { appSend, appReceive, peerReceive, pipeReceive, bareSend, bareReceive, stop };

declare global {
	interface Window {
		p2p: typeof api;
	}
}

window.p2p = api;
document.getElementById('state')!.textContent = 'ready';
