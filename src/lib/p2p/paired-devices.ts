import { openCitrateDB } from '../storage/db';

/** How a device came to be paired with this browser. */
export type PairedHow =
	/** It connected while this browser offered a model through a share link. */
	| 'sent'
	/** This browser opened its share link and received a model from it. */
	| 'received'
	/** The user's own IPFS node or pinning service (a remote pin's delegates). */
	| 'node';

/** A device or node this browser always serves, kept across restarts until the user forgets it. */
export interface PairedDevice {
	/** Its libp2p peer id. */
	peer: string;
	how: PairedHow;
	/** The model (repo id) sent or received when it was paired. */
	model?: string;
	/** When it was paired (ms since the epoch). */
	pairedAt: number;
}

/** Devices kept, at most: pairing one more forgets the one paired longest ago. */
export const MAX_PAIRED_DEVICES = 64;

const KEY = 'p2p.paired';
const HOWS: readonly PairedHow[] = ['sent', 'received', 'node'];

function toDevice(value: unknown): PairedDevice | null {
	if (typeof value !== 'object' || value === null) return null;
	const { peer, how, model, pairedAt } = value as Record<string, unknown>;
	if (typeof peer !== 'string' || peer === '' || !HOWS.includes(how as PairedHow)) return null;
	if (typeof pairedAt !== 'number' || !Number.isFinite(pairedAt)) return null;
	return {
		peer,
		how: how as PairedHow,
		...(typeof model === 'string' && model !== '' ? { model } : {}),
		pairedAt
	};
}

/** Devices as stored: anything not understood is left out; newest first. */
export function toPairedDevices(value: unknown): PairedDevice[] {
	const devices = (Array.isArray(value) ? value : []).flatMap((entry) => toDevice(entry) ?? []);
	const byPeer = new Map<string, PairedDevice>();
	for (const device of devices) if (!byPeer.has(device.peer)) byPeer.set(device.peer, device);
	return [...byPeer.values()].sort((a, b) => b.pairedAt - a.pairedAt);
}

/** The paired devices, newest first; none when nothing is stored or IndexedDB is unavailable. */
export async function readPairedDevices(): Promise<PairedDevice[]> {
	try {
		const record = await (await openCitrateDB()).get('settings', KEY);
		return toPairedDevices(record?.value);
	} catch {
		return [];
	}
}

/**
 * Keeps a newly paired device (a device paired again keeps its first record: how it was paired
 * first is what the user saw then). Returns the devices now kept.
 */
export async function rememberPairedDevice(device: PairedDevice): Promise<PairedDevice[]> {
	const db = await openCitrateDB();
	const tx = db.transaction('settings', 'readwrite');
	const devices = toPairedDevices((await tx.store.get(KEY))?.value);
	if (!devices.some((kept) => kept.peer === device.peer))
		devices.unshift(toDevice(device) ?? device);
	const kept = devices.slice(0, MAX_PAIRED_DEVICES);
	await tx.store.put({ key: KEY, value: kept });
	await tx.done;
	return kept;
}

/** Forgets a device: it is no longer served unless paired again. Returns the devices now kept. */
export async function forgetPairedDevice(peer: string): Promise<PairedDevice[]> {
	const db = await openCitrateDB();
	const tx = db.transaction('settings', 'readwrite');
	const kept = toPairedDevices((await tx.store.get(KEY))?.value).filter((d) => d.peer !== peer);
	await tx.store.put({ key: KEY, value: kept });
	await tx.done;
	return kept;
}
