import { startPeer } from './index';

/** How long to wait for a relay reservation before pinning without this device's addresses. */
const ORIGINS_WAIT_MS = 2000;

/**
 * What remote pinning needs from this browser's peer (started on first use): its addresses for a
 * pin's `origins`, and a connection to the pinning service's `delegates`, over which the service
 * fetches the model's blocks with bitswap (served from the Filestore as they are).
 */
export const remotePinPeer = {
	async origins(): Promise<string[]> {
		try {
			return await (await startPeer()).reachableAddrs(ORIGINS_WAIT_MS);
		} catch {
			return []; // no relay: the service reaches this device through `delegates` instead
		}
	},
	/**
	 * Dials the delegates of one peer (the first with a `/p2p/` id), the user's node: it is paired
	 * (served blocks while serving the public network is off) and the gater allows its hosts.
	 */
	async connect(delegates: string[], signal: AbortSignal): Promise<void> {
		const id = delegates
			.map((addr) => /\/p2p\/([^/]+)$/.exec(addr)?.[1])
			.find((x) => x !== undefined);
		if (id === undefined) return;
		const peer = await startPeer();
		// The user's own node (from the service the user set up): served even when it dials this
		// device's origins itself, and even if the dial below fails.
		peer.serving.pair(id, { how: 'node' });
		await peer.connect(
			{ id, addrs: delegates.filter((addr) => addr.endsWith(`/p2p/${id}`)) },
			{ signal, pairAs: { how: 'node' } }
		);
	}
};
