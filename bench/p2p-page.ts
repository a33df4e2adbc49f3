/**
 * The browser half of `npm run bench:p2p` (driven by bench/p2p.ts through Playwright).
 *
 * - `app*`: Citrate's own code. The sender imports the model the way a download ends (segments in
 *   OPFS, SHA-256, `pinLocalModel`: the Filestore) and serves it from its `Peer`; the receiver
 *   runs the code behind Receive (`receiveOffer`) or Add by CID (`fetchByCidWith`): bitswap on the
 *   page (Helia hashes each block against its CID), handed to the Helia worker, written into OPFS, the file's SHA-256
 *   checked against the record, pinned and registered.
 * - `bare*`: plain Helia + libp2p, no Citrate code (bench/p2p-bare.ts).
 */
import { importer } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import { fetchFromSource, listPins, pinLocalModel } from '../src/lib/ipfs';
import { PEER_FETCH_AHEAD } from '../src/lib/ipfs/fetch-window';
import { fetchByCidWith } from '../src/lib/p2p';
import { offerFor } from '../src/lib/p2p/offer';
import { Peer } from '../src/lib/p2p/peer';
import { receiveOffer } from '../src/lib/p2p/receive';
import type { ShareOffer } from '../src/lib/p2p/share-link';
import { registerLocalModel, storeModelFile } from '../src/lib/storage';
import type { LocalModel } from '../src/lib/storage';
import { MIB, bareReceive, bareSend, kuboOptions, modelBytes, stopBare, walkDag } from './p2p-bare';
import { floorReceive } from './p2p-floor';
import type { Transfer } from './p2p-types';

export type { Path, Transfer } from './p2p-types';

let appPeer: Peer | undefined;

function peerOptions(relay: string) {
	return {
		relays: [relay],
		bootstrap: [],
		nodes: [],
		routers: [],
		gateways: [],
		servePublic: false,
		allowPrivate: () => false,
		uploadLimit: () => null
	};
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
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
	// As while the Send dialog is open: devices that come through the link are served (public
	// serving is off). Held for the whole bench.
	appPeer.offering();
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
	let last = 0;
	let blocks = 0;
	const kinds = new Set<string>();
	// The same peer, timed: when the first block arrives and where blocks come from.
	const timed = {
		connect: (...args: Parameters<Peer['connect']>) => peer.connect(...args),
		block: async (...args: Parameters<Peer['block']>) => {
			const received = await peer.block(...args);
			last = performance.now();
			if (first === 0) first = last;
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
		lastBlockMs: last - asked,
		transferMs,
		bytes,
		mibPerSecond: bytes / MIB / (transferMs / 1000),
		kind: connection.kind,
		blocks,
		sourceKinds: [...kinds],
		sha256: file?.sha256
	};
}

/**
 * Profile only (`BENCH_P2P_PROFILE=1`): Citrate's page-side `Peer` alone — its bitswap settings,
 * block guard and blockstore — fetching every block as bare does, with no worker, no OPFS, no
 * file hash. Separates the peer's cost from the model pipeline's.
 */
async function peerReceive(
	offer: ShareOffer,
	relay: string,
	window = PEER_FETCH_AHEAD
): Promise<Transfer> {
	appPeer ??= await Peer.start(peerOptions(relay));
	const peer = appPeer;
	const dialStarted = performance.now();
	const connection = await peer.connect(offer.peer, { timeoutMs: 60_000 });
	const connectMs = performance.now() - dialStarted;
	const asked = performance.now();
	let first = 0;
	const kinds = new Set<string>();
	const get = async (cid: CID) => {
		// As the app's pipeline asks: only for blocks it does not hold (no store lookup first).
		const received = await peer.block(cid.toString(), undefined, undefined, { notStored: true });
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
	for await (const _ of importer([{ content: bytes }], sink as never, kuboOptions()));
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

async function stop(): Promise<void> {
	await appPeer?.stop();
	appPeer = undefined;
	await stopBare();
}

const api = {
	appSend,
	appReceive,
	peerReceive,
	pipeReceive,
	bareSend,
	// The same number of blocks in flight as the app's receive.
	bareReceive: (cid: string, addr: string, relay: string) =>
		bareReceive(cid, addr, relay, PEER_FETCH_AHEAD),
	/** Starts the receiving page's Helia worker before the bench reads the CPU counters. */
	warm: async () => {
		await listPins();
	},
	floorReceive: (cid: string, addr: string, relay: string) =>
		floorReceive(cid, addr, relay, PEER_FETCH_AHEAD),
	stop
};

declare global {
	interface Window {
		p2p: typeof api;
	}
}

window.p2p = api;
document.getElementById('state')!.textContent = 'ready';
