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
	/** What this browser sends to others, in bytes per second; `null` (the default): no limit. */
	uploadLimit: number | null;
	/**
	 * Paired devices can reach this browser while Citrate is open: with at least one paired device,
	 * the peer starts when Citrate opens (in one tab), not only when a peer feature is used. On by
	 * default: a device receiving from this one resumes by itself when Citrate is open here again.
	 */
	reachable: boolean;
}

export const DEFAULT_PRIVACY: PeerPrivacy = Object.freeze({
	servePublic: false,
	allowLocalNetwork: false,
	uploadLimit: null,
	reachable: true
});

/** A megabyte, as Citrate counts file sizes and speeds (decimal: `units.ts`). */
const MB = 1_000_000;

/**
 * The upload limits the user can pick, in bytes per second (`null`: no limit). None is below
 * 1 MB/s: a device receiving asks for up to 16 MB at once, and counts a block that takes longer
 * than 30 s as stalled.
 */
export const UPLOAD_LIMITS: readonly (number | null)[] = [null, 1, 2, 5, 10, 25].map((mb) =>
	mb === null ? null : mb * MB
);

/**
 * A stored limit as one of the limits offered (the nearest), so Settings always shows what
 * applies; limits stored in binary megabytes (before 2026-12) become the decimal ones they were
 * labelled as. Not a positive number: no limit.
 */
function validLimit(value: unknown): number | null {
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
	let nearest = UPLOAD_LIMITS[1] as number;
	for (const limit of UPLOAD_LIMITS)
		if (limit !== null && Math.abs(Math.log(value / limit)) < Math.abs(Math.log(value / nearest)))
			nearest = limit;
	return nearest;
}

/** Choices as stored or sent between tabs: anything not understood is the default. */
export function toPrivacy(value: unknown): PeerPrivacy {
	const choices = (typeof value === 'object' && value !== null ? value : {}) as Partial<
		Record<keyof PeerPrivacy, unknown>
	>;
	return {
		servePublic: choices.servePublic === true,
		allowLocalNetwork: choices.allowLocalNetwork === true,
		uploadLimit: validLimit(choices.uploadLimit),
		reachable: choices.reachable !== false
	};
}

const KEY = 'p2p.privacy';

/** The stored choices, or the defaults (nothing stored, or no IndexedDB). */
export async function readPrivacy(): Promise<PeerPrivacy> {
	try {
		const record = await (await openCitrateDB()).get('settings', KEY);
		return toPrivacy(record?.value);
	} catch {
		return { ...DEFAULT_PRIVACY };
	}
}

export async function writePrivacy(privacy: PeerPrivacy): Promise<void> {
	await (await openCitrateDB()).put('settings', { key: KEY, value: toPrivacy(privacy) });
}
