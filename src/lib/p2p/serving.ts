/**
 * Who this browser's peer serves blocks to. Bitswap answers every connected peer's wants; with
 * "Serve to the public network" off (the default) this peer answers only paired devices — the
 * device a share link came from, devices that connect while this one offers a model through a
 * share link — and the user's own nodes (a pinning service's delegates). Every other peer's wants
 * are held, not answered: it gets no block, no "have" and no "don't have". A peer paired later
 * (a race: the user's node dials the pin's `origins` before this device dials its delegates) is
 * answered from its held wants. Pairings are kept across restarts (`paired-devices.ts`) until the
 * user forgets the device in Settings. With serving on, anyone connected can fetch.
 */
import { CID } from 'multiformats/cid';
import type { PairedHow } from './paired-devices';

/**
 * The blocks (not mere "have"s) a message asks for, from the entries bitswap's protobuf decodes;
 * an entry whose bytes are not a CID is left out.
 */
export function wantedBlocks(message: WantMessage): CID[] {
	const wanted: CID[] = [];
	for (const entry of (message.wantlist?.entries ?? []) as {
		cid?: Uint8Array;
		cancel?: boolean;
		wantType?: string;
	}[]) {
		if (!entry.cid || entry.cancel === true || entry.wantType === 'WantHave') continue;
		try {
			wanted.push(CID.decode(entry.cid));
		} catch {
			// Not a CID: bitswap answers it (or not) on its own.
		}
	}
	return wanted;
}

/** A peer id as bitswap hands it (a libp2p `PeerId`). */
export interface PeerLike {
	toString(): string;
}

/** The part of a bitswap message the serving side reads: the sender's wants. */
export interface WantMessage {
	wantlist?: { entries: unknown[]; full?: boolean };
	blocks?: unknown[];
	[field: string]: unknown;
}

/** Bitswap's per-peer want lists (what it serves), as `@helia/bitswap` 4 has them. */
export interface ServingWantLists {
	receiveMessage(peer: PeerLike, message: WantMessage): void;
}

/** A message bitswap sends: the blocks in it (`QueuedBitswapMessage.blocks`). */
interface OutgoingMessage {
	blocks?: Map<string, { data: Uint8Array }>;
}

/** Bitswap's network, as `@helia/bitswap` 4 has it: every message to a peer goes through it. */
export interface BitswapNetwork {
	sendMessage(peer: PeerLike, message: OutgoingMessage, options?: unknown): Promise<void>;
}

/** Wants held for one unpaired peer, at most. */
const HELD_MESSAGES = 16;
/** Unpaired peers whose wants are held, at most (the oldest is forgotten first). */
const HELD_PEERS = 64;

/** Why a peer is paired, as `ServePolicy.onPaired` reports it. */
export interface PairInfo {
	how: PairedHow;
	/** The model sent or received (repo id), when a share link paired it. */
	model?: string;
}

export class ServePolicy {
	readonly #servePublic: () => boolean;
	readonly #paired: Set<string>;
	readonly #listeners = new Set<(peer: string, info: PairInfo) => void>();

	/** `paired`: devices paired before (kept across restarts): served from the start. */
	constructor(servePublic: () => boolean, paired: Iterable<string> = []) {
		this.#servePublic = servePublic;
		this.#paired = new Set(paired);
	}

	/** A paired device or one of the user's own nodes: always served from now on. */
	pair(peer: string, info: PairInfo = { how: 'received' }): void {
		if (this.#paired.has(peer)) return;
		this.#paired.add(peer);
		for (const listener of this.#listeners) listener(peer, info);
	}

	/** The user forgot this device: its wants are held again, as any unpaired peer's. */
	unpair(peer: string): void {
		this.#paired.delete(peer);
	}

	isPaired(peer: string): boolean {
		return this.#paired.has(peer);
	}

	/** Whether bitswap answers this peer's wants. */
	mayServe(peer: string): boolean {
		return this.#servePublic() || this.#paired.has(peer);
	}

	/** Calls `listener` for each newly paired peer; returns the unsubscribe function. */
	onPaired(listener: (peer: string, info: PairInfo) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
}

/** The bitswap of a started Helia node (`@helia/bitswap` 4's inner parts). */
function bitswapOf(helia: unknown): { peerWantLists?: ServingWantLists; network?: BitswapNetwork } {
	const brokers = (helia as { blockBrokers?: unknown[] }).blockBrokers ?? [];
	const broker = brokers.find(
		(candidate): candidate is { bitswap: object } =>
			typeof candidate === 'object' &&
			candidate !== null &&
			(candidate as { name?: string }).name === 'bitswap'
	);
	return broker?.bitswap ?? {};
}

/** Bitswap's want lists on a started Helia node (what it serves to each peer). */
export function bitswapWantLists(helia: unknown): ServingWantLists {
	const wantLists = bitswapOf(helia).peerWantLists;
	if (!wantLists || typeof wantLists.receiveMessage !== 'function')
		throw new Error('Bitswap is not started, or its peer want lists moved (check @helia/bitswap).');
	return wantLists;
}

/** Bitswap's network on a started Helia node (every message it sends). */
export function bitswapNetwork(helia: unknown): BitswapNetwork {
	const network = bitswapOf(helia).network;
	if (!network || typeof network.sendMessage !== 'function')
		throw new Error('Bitswap is not started, or its network moved (check @helia/bitswap).');
	return network;
}

export interface ServingGuard {
	/** Drops what is held for a peer that went away. */
	forget(peer: string): void;
	/** Peers whose wants are held now (not served). */
	held(): string[];
	/** Serves everyone again (as bitswap does by itself). */
	stop(): void;
}

/**
 * Lets bitswap answer only the peers `policy` allows: the others' wants are held (bounded) until
 * they are paired, or forgotten when they go away.
 */
export function restrictServing(wantLists: ServingWantLists, policy: ServePolicy): ServingGuard {
	const original = wantLists.receiveMessage;
	const serve = (peer: PeerLike, message: WantMessage) => original.call(wantLists, peer, message);
	const held = new Map<string, { peer: PeerLike; messages: WantMessage[] }>();
	wantLists.receiveMessage = (peer, message) => {
		const id = peer.toString();
		if (policy.mayServe(id)) return serve(peer, message);
		if (!message.wantlist || message.wantlist.entries.length === 0) return;
		const entry = held.get(id) ?? { peer, messages: [] };
		held.delete(id);
		held.set(id, entry);
		// Only the wants: blocks the peer sent us are the receiving side's, not kept here.
		entry.messages.push({ ...message, blocks: [] });
		if (entry.messages.length > HELD_MESSAGES) entry.messages.shift();
		if (held.size > HELD_PEERS) {
			const oldest = held.keys().next().value;
			if (oldest !== undefined) held.delete(oldest);
		}
	};
	const offPaired = policy.onPaired((id) => {
		const entry = held.get(id);
		held.delete(id);
		for (const message of entry?.messages ?? []) serve(entry!.peer, message);
	});
	return {
		forget: (peer) => void held.delete(peer),
		held: () => [...held.keys()],
		stop() {
			offPaired();
			held.clear();
			wantLists.receiveMessage = original;
		}
	};
}
