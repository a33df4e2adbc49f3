import { config } from '../config';
import {
	fetchFromSource,
	type CallOptions,
	type FetchByCidInput,
	type FetchByCidResult
} from '../ipfs';
import type { Peer } from './peer';
import type { PeerOptions } from './types';

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
let allowPrivate = false;

/** Allows dialing devices on the local network (private addresses) from now on. */
export function setAllowLocalNetwork(allow: boolean): void {
	allowPrivate = allow;
}

export function peerOptions(): PeerOptions {
	return {
		relays: config.ipfsRelays,
		bootstrap: config.ipfsBootstrap,
		nodes: [],
		routers: config.ipfsRouters,
		gateways: config.ipfsGateways,
		servePublic: false,
		allowPrivate: () => allowPrivate
	};
}

export function startPeer(): Promise<Peer> {
	peer ??= import('./peer')
		.then(({ Peer }) => Peer.start(peerOptions()))
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

/**
 * Add by CID without a gateway: every block from this browser's peer (its connected peers over
 * bitswap, providers found by delegated routing, and gateways when configured), verified.
 * A CID nobody provides fails with `P2P_STALLED` within the stall timeout.
 */
export async function fetchByCidFromPeers(
	input: FetchByCidInput,
	options: CallOptions = {}
): Promise<FetchByCidResult> {
	const peer = await startPeer();
	return fetchFromSource(
		input,
		async (cid) => (await peer.block(cid, options.signal)).bytes,
		options
	);
}
