import { config } from '../config';
import { AppError } from '../errors';
import {
	fetchByCid as fetchFromGateways,
	fetchFromSource,
	type CallOptions,
	type FetchByCidInput,
	type FetchByCidResult
} from '../ipfs';
import {
	forgetPairedDevice,
	readPairedDevices,
	rememberPairedDevice,
	type PairedDevice
} from './paired-devices';
import type { Peer } from './peer';
import { DEFAULT_PRIVACY, readPrivacy, toPrivacy, writePrivacy, type PeerPrivacy } from './privacy';
import type { PeerOptions } from './types';

export { DEFAULT_PRIVACY, UPLOAD_LIMITS, readPrivacy, type PeerPrivacy } from './privacy';
export { readPairedDevices, type PairedDevice, type PairedHow } from './paired-devices';

export { decodeOffer, encodeOffer, offerLink, type ShareOffer } from './share-link';
export { offerFor } from './offer';
export { receiveOffer, type ReceiveProgress, type SourceTally } from './receive';
export type { Peer } from './peer';
export type { BlockOrigin, ConnectionKind, PeerView } from './types';

/**
 * This browser's IPFS peer, started on first use: its code (Helia, libp2p, WebRTC, bitswap) is
 * loaded only then, never on first load.
 */
let peer: Promise<Peer> | undefined;
let privacy: PeerPrivacy = { ...DEFAULT_PRIVACY };

/** Allows dialing devices on the local network (private addresses) from now on. */
export function setAllowLocalNetwork(allow: boolean): void {
	privacy = { ...privacy, allowLocalNetwork: allow };
}

/** Who hears each change of the choices (`onPrivacyChange`). */
const privacyListeners = new Set<(privacy: PeerPrivacy) => void>();

/**
 * Applies the user's privacy choices in this tab: the local-network choice and the upload limit
 * at once (the gater asks on every dial, the limit on every want), serving the public network by
 * stopping a running peer (it starts again with the new choice when next used).
 */
async function applyPrivacy(next: PeerPrivacy): Promise<void> {
	const restart = next.servePublic !== privacy.servePublic && peer !== undefined;
	privacy = { ...next };
	for (const listener of privacyListeners) listener({ ...next });
	if (restart) {
		await stopPeer();
		// The tab that keeps this browser reachable starts it again at once, with the new choice.
		if (reachableHere) void startPeer().catch(() => undefined);
	}
	// Turned on (or still on): applies at once. Asked once per tab; reads the stored choice.
	if (next.reachable) void stayReachable();
}

/**
 * Calls `listener` with the choices each time they change, in this tab or another (Settings shows
 * them as they are); returns the unsubscribe function.
 */
export function onPrivacyChange(listener: (privacy: PeerPrivacy) => void): () => void {
	otherTabs();
	privacyListeners.add(listener);
	return () => privacyListeners.delete(listener);
}

/** Other tabs of Citrate hear each saved choice: a peer running in one of them applies it too. */
let tabs: BroadcastChannel | undefined;

function otherTabs(): BroadcastChannel | undefined {
	if (typeof BroadcastChannel === 'undefined') return undefined;
	if (!tabs) {
		tabs = new BroadcastChannel('citrate.p2p.privacy');
		tabs.onmessage = (event: MessageEvent) => void applyPrivacy(toPrivacy(event.data));
	}
	return tabs;
}

/** Stores the user's privacy choices and applies them here and in every other open tab. */
export async function savePrivacy(next: PeerPrivacy): Promise<void> {
	const choices = toPrivacy(next);
	try {
		// Stored first: a peer restarted for the new choice reads it.
		await writePrivacy(choices);
	} finally {
		await applyPrivacy(choices);
		otherTabs()?.postMessage(choices);
	}
}

export function peerOptions(): PeerOptions {
	return {
		relays: config.ipfsRelays,
		bootstrap: config.ipfsBootstrap,
		nodes: [],
		routers: config.ipfsRouters,
		gateways: config.ipfsGateways,
		servePublic: privacy.servePublic,
		allowPrivate: () => privacy.allowLocalNetwork,
		uploadLimit: () => privacy.uploadLimit
	};
}

export function startPeer(): Promise<Peer> {
	otherTabs();
	pairedTabs();
	peer ??= Promise.all([import('./peer'), readPrivacy(), readPairedDevices()])
		.then(async ([{ Peer }, stored, devices]) => {
			privacy = stored;
			const started = await Peer.start({ ...peerOptions(), paired: devices.map((d) => d.peer) });
			started.serving.onPaired((id, info) => void keepPairing({ peer: id, ...info }));
			return started;
		})
		.catch((error: unknown) => {
			peer = undefined;
			throw error;
		});
	return peer;
}

/** The peer if it was started (nothing is loaded otherwise). */
export function runningPeer(): Promise<Peer> | undefined {
	return peer;
}

export async function stopPeer(): Promise<void> {
	const current = peer;
	peer = undefined;
	await (await current?.catch(() => undefined))?.stop();
}

/** Who hears each change of the paired devices (`onPairedDevicesChange`). */
const pairedListeners = new Set<(devices: PairedDevice[]) => void>();
let pairedChannel: BroadcastChannel | undefined;

/** Other tabs hear each pairing and each forgotten device (the one running the peer applies it). */
function pairedTabs(): BroadcastChannel | undefined {
	if (typeof BroadcastChannel === 'undefined') return undefined;
	if (!pairedChannel) {
		pairedChannel = new BroadcastChannel('citrate.p2p.paired');
		pairedChannel.onmessage = (event: MessageEvent) =>
			void pairedChanged((event.data ?? {}) as { forgot?: string });
	}
	return pairedChannel;
}

async function pairedChanged(change: { forgot?: string }): Promise<void> {
	if (change.forgot) (await peer?.catch(() => undefined))?.serving.unpair(change.forgot);
	const devices = await readPairedDevices();
	for (const listener of pairedListeners) listener(devices);
}

/** Stores a new pairing (served again after a restart) and tells every tab. */
async function keepPairing(device: Omit<PairedDevice, 'pairedAt'>): Promise<void> {
	try {
		await rememberPairedDevice({ ...device, pairedAt: Date.now() });
	} catch {
		return; // not stored (no IndexedDB): it stays paired until the peer stops
	}
	await pairedChanged({});
	pairedTabs()?.postMessage({});
}

/**
 * Calls `listener` with the paired devices each time one is paired or forgotten, in this tab or
 * another; returns the unsubscribe function.
 */
export function onPairedDevicesChange(listener: (devices: PairedDevice[]) => void): () => void {
	pairedTabs();
	pairedListeners.add(listener);
	return () => pairedListeners.delete(listener);
}

/**
 * Forgets a paired device: from now on it gets no blocks from this browser (unless serving the
 * public network is on) until it is paired again through a share link. A running peer applies it
 * at once, in whichever tab it runs.
 */
export async function forgetDevice(peerId: string): Promise<void> {
	await forgetPairedDevice(peerId);
	await pairedChanged({ forgot: peerId });
	pairedTabs()?.postMessage({ forgot: peerId });
}

/** Whether this tab keeps the browser reachable for paired devices (one tab does). */
let reachableHere = false;
/** Whether this tab asked to (it waits for the tab that does to close). */
let reachableAsked = false;

/**
 * When Citrate opens: with paired devices and "reachable" on, starts the peer in one tab (a Web
 * Lock held while the tab lives; when that tab closes, the next tab waiting for the lock takes
 * over), so a device receiving from this one resumes by itself and paired devices can fetch what
 * this browser has.
 */
export async function stayReachable(): Promise<void> {
	const [stored, devices] = await Promise.all([readPrivacy(), readPairedDevices()]);
	if (!stored.reachable || devices.length === 0 || reachableAsked) return;
	reachableAsked = true;
	const keep = async () => {
		reachableHere = true;
		await startPeer().catch(() => undefined);
	};
	if (typeof navigator === 'undefined' || !navigator.locks) return keep();
	void navigator.locks.request('citrate.p2p.reachable', async () => {
		await keep();
		await new Promise(() => undefined); // held until this tab closes
	});
}

/** How long finding a CID's first block may take: a CID nobody provides fails within it. */
export const FIND_MS = 30_000;

/**
 * Add by CID from anywhere: every block from this browser's peer — its connected peers over
 * bitswap, providers found by delegated routing and the configured gateways, together (no
 * gateway required) — verified, into the model pipeline. A CID nobody provides fails with
 * `IPFS_NOT_FOUND` within `findMs` and registers nothing.
 */
export async function fetchByCidFromPeers(
	input: FetchByCidInput,
	options: CallOptions & { findMs?: number } = {}
): Promise<FetchByCidResult> {
	return fetchByCidWith(await startPeer(), input, options);
}

export function fetchByCidWith(
	peer: Pick<Peer, 'block'>,
	input: FetchByCidInput,
	options: CallOptions & { findMs?: number } = {}
): Promise<FetchByCidResult> {
	const findMs = options.findMs ?? FIND_MS;
	let first = true;
	return fetchFromSource(
		input,
		async (cid) => {
			try {
				const { bytes } = await peer.block(cid, options.signal, first ? findMs : undefined, {
					notStored: true
				});
				first = false;
				return bytes;
			} catch (error) {
				if (first && AppError.is(error, 'P2P_STALLED'))
					throw new AppError(
						'IPFS_NOT_FOUND',
						`Nobody provides this CID: no connected device or node, no provider found through routing and no configured gateway had it within ${Math.round(findMs / 1000)} seconds. Check the CID, or open Citrate on a device that has the model, and try again. Nothing was added.`,
						{ cause: error, details: { cid: input.cid } }
					);
				throw error;
			}
		},
		// `Peer.block` gives only blocks Helia hashed against their CID.
		{ ...options, verifiedBlocks: true }
	);
}

/**
 * Add by CID from anywhere: the configured gateways first (a wrong block from one is refused at
 * once with `IPFS_BLOCK_INVALID`); when none has the CID or none answers, this browser's peer
 * (connected peers, routing), resuming from the segments already written. No gateway required.
 */
export async function fetchByCidAnywhere(
	input: FetchByCidInput,
	options: CallOptions & {
		findMs?: number;
		/** The peer to ask (tests); default this browser's peer, started on demand. */
		peer?: () => Promise<Pick<Peer, 'block'>>;
	} = {}
): Promise<FetchByCidResult> {
	if (input.gateways.length > 0) {
		try {
			return await fetchFromGateways(input, options);
		} catch (error) {
			options.signal?.throwIfAborted();
			if (!AppError.is(error, 'IPFS_NOT_FOUND') && !AppError.is(error, 'IPFS_GATEWAY')) throw error;
		}
	}
	return fetchByCidWith(await (options.peer ?? startPeer)(), input, options);
}
