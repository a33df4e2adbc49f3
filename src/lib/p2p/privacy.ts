import { openCitrateDB } from '../storage/db';

/** The user's choices about what this browser's peer does on the network. */
export interface PeerPrivacy {
	/**
	 * Serve pinned models to the public IPFS network (join it through the bootstrap peers). Off by
	 * default: only the devices and nodes the user connects to ever ask this peer for blocks.
	 */
	servePublic: boolean;
	/** Allow connections to devices on the local network (private addresses). Off by default. */
	allowLocalNetwork: boolean;
}

export const DEFAULT_PRIVACY: PeerPrivacy = Object.freeze({
	servePublic: false,
	allowLocalNetwork: false
});

const KEY = 'p2p.privacy';

/** The stored choices, or the defaults (nothing stored, or no IndexedDB). */
export async function readPrivacy(): Promise<PeerPrivacy> {
	try {
		const record = await (await openCitrateDB()).get('settings', KEY);
		const value = (record?.value ?? {}) as Partial<PeerPrivacy>;
		return {
			servePublic: value.servePublic === true,
			allowLocalNetwork: value.allowLocalNetwork === true
		};
	} catch {
		return { ...DEFAULT_PRIVACY };
	}
}

export async function writePrivacy(privacy: PeerPrivacy): Promise<void> {
	const value: PeerPrivacy = {
		servePublic: privacy.servePublic,
		allowLocalNetwork: privacy.allowLocalNetwork
	};
	await (await openCitrateDB()).put('settings', { key: KEY, value });
}
