import { withBitswap } from '@helia/bitswap';
import { withHTTP } from '@helia/http';
import { withLibp2pLight, type HeliaWithLibp2p } from '@helia/libp2p';
import type { Identify } from '@libp2p/identify';
import type { Ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { FaultTolerance, type Connection, type PeerId } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { peerIdFromString } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { webRTC } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createHeliaLight } from 'helia';
import { CID } from 'multiformats/cid';
import { AppError } from '../errors';
import { FilestoreBlockstore } from '../ipfs/blockstore';
import { OpfsFiles } from '../ipfs/opfs-files';
import { BlockGuard, bitswapBlockEvents, guardBitswap } from './block-guard';
import { denyDial, hostsOf, isPrivateUrl } from './gater';
import { loadIdentity } from './identity';
import { SERVING_LIMITS } from './limits';
import { PeerBlockstore } from './peer-blockstore';
import {
	ServePolicy,
	type PairInfo,
	bitswapNetwork,
	bitswapWantLists,
	restrictServing,
	wantedBlocks
} from './serving';
import { meterUploads } from './upload-activity';
import { limitUploads } from './upload-limit';
import type { ConnectionKind, PeerOptions, PeerView, ReceivedBlock } from './types';

type Node = HeliaWithLibp2p<{ identify: Identify; ping: Ping }>;

/** How long a block may take before the transfer counts as stalled. */
const STALL_MS = 30_000;
/** How long reaching another device may take. */
const DIAL_MS = 20_000;

/**
 * This browser as an IPFS peer: Helia with libp2p (WebRTC between browsers, WebSockets to relays
 * and the user's nodes, circuit relay v2 as a client for signalling), bitswap and trustless
 * gateways as block brokers, delegated HTTP routing. It runs on the page, because dedicated
 * workers have no RTCPeerConnection; blocks go to the Helia worker's model pipeline.
 */
export class Peer {
	readonly #helia: Node;
	readonly #blockstore: PeerBlockstore;
	readonly #relayPeers: Set<string>;
	readonly #options: PeerOptions;
	readonly #allowedHosts: Set<string>;
	/** Peers that sent a wrong block are refused and dropped (`IPFS_BLOCK_INVALID`). */
	readonly guard: BlockGuard;
	/** Who is served blocks: paired devices and own nodes, everyone only when serving publicly. */
	readonly serving: ServePolicy;
	/** Open share offers, by model: a device that connects meanwhile came through a link (paired). */
	#offers: (string | undefined)[] = [];

	private constructor(
		helia: Node,
		blockstore: PeerBlockstore,
		options: PeerOptions,
		allowedHosts: Set<string>,
		guards: { guard: BlockGuard; serving: ServePolicy }
	) {
		this.#helia = helia;
		this.#blockstore = blockstore;
		this.guard = guards.guard;
		this.serving = guards.serving;
		this.#options = options;
		this.#allowedHosts = allowedHosts;
		this.#relayPeers = new Set(
			[...options.relays, ...options.bootstrap].flatMap((addr) => {
				const match = /\/p2p\/([^/]+)$/.exec(addr);
				return match ? [match[1] as string] : [];
			})
		);
		helia.libp2p.addEventListener('connection:open', (event) => {
			const connection = event.detail;
			if (this.#offers.length > 0 && connection.direction === 'inbound')
				this.#pairIfDevice(connection.remotePeer.toString());
		});
	}

	#pairIfDevice(peer: string): void {
		const model = this.#offers.at(-1);
		if (!this.#relayPeers.has(peer))
			this.serving.pair(peer, { how: 'sent', ...(model ? { model } : {}) });
	}

	/**
	 * This device offers a model through a share link until the returned function is called:
	 * devices connected to it (they dialled the link's addresses) are paired and served, and so is
	 * every device that connects meanwhile. `model`: the repo id offered, kept with the pairing.
	 */
	offering(model?: string): () => void {
		this.#offers.push(model);
		for (const connection of this.#helia.libp2p.getConnections())
			if (connection.direction === 'inbound' && connection.status === 'open')
				this.#pairIfDevice(connection.remotePeer.toString());
		let released = false;
		return () => {
			if (!released) this.#offers.splice(this.#offers.lastIndexOf(model), 1);
			released = true;
		};
	}

	static async start(options: PeerOptions): Promise<Peer> {
		const privateKey = await loadIdentity();
		const allowedHosts = hostsOf([...options.relays, ...options.bootstrap, ...options.nodes]);
		const guard = new BlockGuard();
		const refused = (peer: PeerId) => guard.isRefused(peer.toString());
		const blockstore = new PeerBlockstore(
			new FilestoreBlockstore(new OpfsFiles(), { leafViews: true })
		);
		const light = createHeliaLight({ blockstore });
		// With no router and no gateway the HTTP broker has nowhere to ask, yet it would be raced
		// against bitswap (and fail) for every block.
		const http =
			options.routers.length > 0 || options.gateways.length > 0
				? withHTTP(light, {
						delegatedRouters: options.routers,
						recursiveGateways: options.gateways,
						allowInsecure: options.gateways.some((url) => url.startsWith('http:')),
						// Configured gateways are the operator's choice, even on a private address.
						allowLocal: options.allowPrivate() || options.gateways.some((url) => isPrivateUrl(url))
					})
				: light;
		const helia = withBitswap(
			withLibp2pLight(http, {
				privateKey,
				addresses: {
					listen: [...options.relays.map((relay) => `${relay}/p2p-circuit`), '/webrtc']
				},
				transports: [
					webSockets(),
					webRTC(
						options.iceServers ? { rtcConfiguration: { iceServers: options.iceServers } } : {}
					),
					circuitRelayTransport()
				],
				connectionEncrypters: [noise()],
				streamMuxers: [yamux()],
				connectionGater: {
					denyDialPeer: refused,
					denyInboundEncryptedConnection: refused,
					denyOutboundEncryptedConnection: refused,
					denyDialMultiaddr: (addr) =>
						denyDial({ allowedHosts, allowPrivate: options.allowPrivate }, addr.toString())
				},
				connectionManager: {
					...SERVING_LIMITS.connections,
					maxConnections: options.maxConnections ?? SERVING_LIMITS.connections.maxConnections
				},
				// A relay that is down must not stop the peer: `reachableAddrs` says so in time.
				transportManager: { faultTolerance: FaultTolerance.NO_FATAL },
				peerDiscovery:
					options.servePublic && options.bootstrap.length > 0
						? [bootstrap({ list: options.bootstrap })]
						: [],
				services: { identify: identify(), ping: ping() }
			}),
			{ runOnLimitedConnections: true, ...SERVING_LIMITS.bitswap }
		);
		try {
			await helia.start();
		} catch (cause) {
			throw new AppError('P2P_UNREACHABLE', 'The peer could not start in this browser.', {
				cause
			});
		}
		guardBitswap(bitswapBlockEvents(helia), guard, (peer) =>
			helia.libp2p.hangUp(peerIdFromString(peer))
		);
		const serving = new ServePolicy(() => options.servePublic, options.paired ?? []);
		const wantLists = bitswapWantLists(helia);
		const network = bitswapNetwork(helia);
		// A want meets the serve policy (installed last), then the upload limit, then bitswap.
		const limited = limitUploads(wantLists, network, options.uploadLimit, {
			onRelease: (message) => blockstore.readAhead(wantedBlocks(message)),
			maxQueuedPerPeer: SERVING_LIMITS.bitswap.maxWantListSize
		});
		const held = restrictServing(wantLists, serving);
		// What was sent, per peer, once it went out (the shell says who is being sent to).
		meterUploads(network);
		helia.libp2p.addEventListener('peer:disconnect', (event) => {
			held.forget(event.detail.toString());
			limited.forget(event.detail.toString());
		});
		return new Peer(helia, blockstore, options, allowedHosts, { guard, serving });
	}

	get id(): string {
		return this.#helia.libp2p.peerId.toString();
	}

	/** Hosts this peer may dial besides the configured ones (a share link's relays). */
	allowHosts(addrs: readonly string[]): void {
		for (const host of hostsOf(addrs)) this.#allowedHosts.add(host);
	}

	/** This device's addresses through its relays (WebRTC first), waiting for a reservation. */
	async reachableAddrs(timeoutMs = DIAL_MS): Promise<string[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const addrs = this.#helia.libp2p
				.getMultiaddrs()
				.map((addr) => addr.toString())
				.filter((addr) => addr.includes('/p2p-circuit'))
				.sort((a, b) => Number(b.includes('/webrtc')) - Number(a.includes('/webrtc')));
			if (addrs.length > 0) return addrs;
			if (Date.now() > deadline)
				throw new AppError(
					'P2P_UNREACHABLE',
					this.#options.relays.length === 0
						? 'No relay is configured, so other devices cannot reach this one.'
						: 'No relay answered, so other devices cannot reach this one. Check the connection and try again.'
				);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	/**
	 * Connects to another device (a share link's sender, the user's own node): WebRTC through its
	 * relay first, the relayed connection itself if WebRTC cannot connect. The device is paired
	 * (served even when this peer does not serve the public network) as `pairAs` says (by
	 * default: a link opened here, `ServePolicy.pair`). Throws
	 * `P2P_UNREACHABLE` within `timeoutMs`.
	 */
	async connect(
		peer: { id: string; addrs: string[] },
		options: { signal?: AbortSignal; timeoutMs?: number; pairAs?: PairInfo } = {}
	): Promise<PeerView> {
		let target: PeerId;
		try {
			target = peerIdFromString(peer.id);
		} catch (cause) {
			throw new AppError(
				'P2P_LINK_INVALID',
				"The link's device id is not valid. Ask the sender for a new link.",
				{ cause }
			);
		}
		const existing = this.#best(target);
		if (existing) {
			this.serving.pair(peer.id, options.pairAs);
			return this.#view(existing);
		}
		this.allowHosts(peer.addrs);
		const withPeer = (addr: string) =>
			addr.includes('/p2p/' + peer.id) ? addr : `${addr}/p2p/${peer.id}`;
		const webrtc = peer.addrs.filter((addr) => addr.includes('/webrtc')).map(withPeer);
		const relayed = peer.addrs.filter((addr) => !addr.includes('/webrtc')).map(withPeer);
		let lastError: unknown;
		for (const addr of [...webrtc, ...relayed]) {
			const signal = AbortSignal.any([
				AbortSignal.timeout(options.timeoutMs ?? DIAL_MS),
				...(options.signal ? [options.signal] : [])
			]);
			try {
				const connection = await this.#helia.libp2p.dial(multiaddr(addr), { signal });
				this.serving.pair(peer.id, options.pairAs);
				return this.#view(connection);
			} catch (error) {
				options.signal?.throwIfAborted();
				lastError = error;
			}
		}
		throw new AppError(
			'P2P_UNREACHABLE',
			'The sending device cannot be reached: it may be offline, its page closed, or its relay down. Keep Citrate open on it and try again.',
			{ cause: lastError, details: { peer: peer.id } }
		);
	}

	/** The best open connection to a peer (WebRTC over relayed). */
	#best(peer: PeerId): Connection | undefined {
		const open = this.#helia.libp2p.getConnections(peer).filter((c) => c.status === 'open');
		return open.find((c) => kindOf(c) === 'webrtc') ?? open[0];
	}

	#view(connection: Connection): PeerView {
		return { peer: connection.remotePeer.toString(), kind: kindOf(connection) };
	}

	/** The current connection to a peer, if any. */
	connectionTo(peer: string): PeerView | undefined {
		const best = this.#best(peerIdFromString(peer));
		return best ? this.#view(best) : undefined;
	}

	/** Connected devices and nodes, without the relays. */
	peers(): PeerView[] {
		const seen = new Map<string, PeerView>();
		for (const connection of this.#helia.libp2p.getConnections()) {
			const peer = connection.remotePeer.toString();
			if (this.#relayPeers.has(peer) || connection.status !== 'open') continue;
			const view = this.#view(connection);
			if (!seen.has(peer) || view.kind === 'webrtc') seen.set(peer, view);
		}
		return [...seen.values()];
	}

	/** Calls `listener` when a peer disconnects; returns the unsubscribe function. */
	onDisconnect(listener: (peer: string) => void): () => void {
		const handler = (event: CustomEvent<PeerId>) => listener(event.detail.toString());
		this.#helia.libp2p.addEventListener('peer:disconnect', handler);
		return () => this.#helia.libp2p.removeEventListener('peer:disconnect', handler);
	}

	/** Calls `listener` when peers connect or disconnect. */
	onPeersChange(listener: () => void): () => void {
		const handler = () => listener();
		this.#helia.libp2p.addEventListener('connection:open', handler);
		this.#helia.libp2p.addEventListener('connection:close', handler);
		return () => {
			this.#helia.libp2p.removeEventListener('connection:open', handler);
			this.#helia.libp2p.removeEventListener('connection:close', handler);
		};
	}

	/**
	 * One block from connected peers (bitswap), routing and gateways together, verified against
	 * its CID by Helia; `P2P_STALLED` when nobody sends it in time. `notStored`: the caller knows
	 * this browser does not hold it (the model pipeline), so the store is not looked in first.
	 */
	async block(
		cidText: string,
		signal?: AbortSignal,
		timeoutMs = STALL_MS,
		{ notStored = false }: { notStored?: boolean } = {}
	): Promise<ReceivedBlock> {
		const cid = CID.parse(cidText);
		this.guard.want(cid);
		if (notStored) this.#blockstore.fetching.add(cidText);
		let from: ReceivedBlock['from'] = { kind: 'local' };
		const timeout = AbortSignal.timeout(timeoutMs);
		const combined = AbortSignal.any([timeout, ...(signal ? [signal] : [])]);
		const parts: Uint8Array[] = [];
		try {
			for await (const part of this.#helia.blockstore.get(cid, {
				signal: combined,
				onProgress: (event: { type: string; detail: unknown }) => {
					if (event.type === 'bitswap:block') {
						const sender = (event.detail as { sender: PeerId }).sender;
						const connection = this.#best(sender);
						from = {
							kind: connection ? kindOf(connection) : 'relayed',
							peer: sender.toString()
						};
					} else if (event.type === 'trustless-gateway:get-block:fetch')
						from = { kind: 'gateway', gateway: String((event.detail as URL).origin) };
				}
			}))
				parts.push(part);
		} catch (error) {
			signal?.throwIfAborted();
			if (timeout.aborted)
				throw new AppError(
					'P2P_STALLED',
					`No device, peer or gateway sent the next block in ${Math.round(timeoutMs / 1000)} seconds.`,
					{ cause: error, details: { cid: cidText } }
				);
			throw new AppError('IPFS_NOT_FOUND', 'No device, peer or gateway could provide a block.', {
				cause: error,
				details: { cid: cidText }
			});
		} finally {
			this.#blockstore.fetching.delete(cidText);
		}
		const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : concat(parts);
		return { bytes, from };
	}

	async stop(): Promise<void> {
		await this.#helia.stop();
	}
}

export function kindOf(connection: Connection): ConnectionKind {
	const addr = connection.remoteAddr.toString();
	if (addr.includes('/webrtc')) return 'webrtc';
	if (addr.includes('/p2p-circuit')) return 'relayed';
	if (addr.includes('/webtransport')) return 'webtransport';
	return 'websockets';
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
