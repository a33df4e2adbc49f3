/**
 * Bare Helia for `npm run bench:p2p` (no Citrate code on the transfer's path; the walk's window is
 * the app's small concurrency gate, `limited`): plain `createHeliaLight` + libp2p with
 * the app's transports (WebSockets, WebRTC, circuit relay client), noise, yamux, bitswap with its
 * defaults and blocks in memory. The sender imports the bytes with kubo's settings; the receiver
 * walks the DAG with a bounded number of blocks asked at once and writes nothing.
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
import { importer, type ImporterOptions } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { UnixFS } from 'ipfs-unixfs';
import { limited } from '../src/lib/ipfs/limited';
import type { Transfer } from './p2p-types';

export const MIB = 1024 * 1024;
let bare: Awaited<ReturnType<typeof bareNode>> | undefined;

/** kubo's `--cid-version=1 --raw-leaves` (written out here: no Citrate code). */
export function kuboOptions(): ImporterOptions {
	return {
		cidVersion: 1,
		rawLeaves: true,
		reduceSingleLeafToSelf: true,
		chunker: fixedSize({ chunkSize: 262_144 }),
		layout: balanced({ maxChildrenPerNode: 174 }),
		wrapWithDirectory: false
	};
}

export async function modelBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
	return new Uint8Array(await response.arrayBuffer());
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
export async function bareSend(
	url: string,
	relay: string
): Promise<{ cid: string; addrs: string[] }> {
	const bytes = await modelBytes(url);
	bare ??= await bareNode(relay);
	let root: CID | undefined;
	for await (const entry of importer([{ content: bytes }], bare.blockstore, kuboOptions()))
		root = entry.cid;
	if (!root) throw new Error('nothing imported');
	return { cid: root.toString(), addrs: await circuitAddrs(bare, 60_000) };
}

export /**
 * Every block of a DAG through `get`, with at most `window` blocks asked at once (the bench gives
 * the same window as the app's receive keeps in flight). Returns the leaves' bytes and the blocks.
 */
async function walkDag(
	root: CID,
	get: (cid: CID) => Promise<Uint8Array>,
	window: number,
	onBlock: () => void,
	/** Each leaf with its offset in the file, as it arrives (any order). */
	onLeaf?: (bytes: Uint8Array, offset: number) => void
): Promise<{ bytes: number; blocks: number }> {
	let bytes = 0;
	let blocks = 0;
	const limitedGet = limited(window, async (cid: CID) => {
		const block = await get(cid);
		onBlock();
		blocks++;
		if (cid.code === raw.code) bytes += block.byteLength;
		return block;
	});
	const walk = async (cid: CID, offset: number): Promise<void> => {
		const block = await limitedGet(cid);
		if (cid.code === raw.code) return onLeaf?.(block, offset);
		const node = dagPb.decode(block);
		const sizes = node.Data ? UnixFS.unmarshal(node.Data).blockSizes : [];
		let at = offset;
		await Promise.all(
			node.Links.map((link, index) => {
				const start = at;
				at += Number(sizes[index] ?? 0);
				return walk(link.Hash, start);
			})
		);
	};
	await walk(root, 0);
	return { bytes, blocks };
}

export /** Bare receiver: dial `addr`, then every block of the DAG (`window` at once). */
async function bareReceive(
	cidText: string,
	addr: string,
	relay: string,
	window: number,
	onLeaf?: (bytes: Uint8Array, offset: number) => void
): Promise<Transfer> {
	bare ??= await bareNode(relay);
	const node = bare;
	const dialStarted = performance.now();
	const connection: Connection = await node.libp2p
		.dial(multiaddr(addr), { signal: AbortSignal.timeout(60_000) })
		.catch((error: unknown) => {
			throw new Error(`bare receiver: dialling ${addr} failed: ${String(error)}`);
		});
	const connectMs = performance.now() - dialStarted;
	const asked = performance.now();
	let first = 0;
	let received = 0;
	const get = async (cid: CID): Promise<Uint8Array> => {
		const parts: Uint8Array[] = [];
		try {
			for await (const part of node.blockstore.get(cid, { signal: AbortSignal.timeout(120_000) }))
				parts.push(part);
		} catch (error) {
			const open = node.libp2p.getConnections().map((c) => `${c.remoteAddr} (${c.status})`);
			throw new Error(
				`bare receiver: block ${cid} not in after ${received} blocks: ${String(error)}; connections: ${open.join(', ') || 'none'}`
			);
		}
		received++;
		return parts.length === 1 ? parts[0]! : concat(parts);
	};
	const { bytes, blocks } = await walkDag(
		CID.parse(cidText),
		get,
		window,
		() => {
			if (first === 0) first = performance.now();
		},
		onLeaf
	);
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

export async function stopBare(): Promise<void> {
	await bare?.stop();
	bare = undefined;
}
