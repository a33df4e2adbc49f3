import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { openCitrateDB } from '../storage/db';
import type { BlockRecord, PinRecord } from './block-index';
import { walkDag } from './dag';

/** Where a pin's leaves are read from: its file, or '*' for a directory (its files' paths). */
type Place = string | undefined;

/** Blocks a walk reached, each with the places its leaves are read from. */
type Reached = Map<string, { cid: CID; places: Set<Place> }>;

/**
 * Removes a pin (a directory's own files too) and every block record no other pin reaches, in one
 * IndexedDB transaction: a pin committed meanwhile is ordered wholly before or after it (never
 * between the moment the live pins are read and the blocks go), and a failure changes nothing.
 * Leaves are not read; a leaf another pin reaches through another file keeps that file's place.
 * A DAG node that cannot be read leaves only its own subtree behind. Returns the removed pins.
 */
export async function removePin(cid: string): Promise<PinRecord[]> {
	const db = await openCitrateDB();
	const tx = db.transaction(['ipfsBlocks', 'ipfsPins'], 'readwrite');
	const pins = tx.objectStore('ipfsPins');
	const blocks = tx.objectStore('ipfsBlocks');
	// Every read below is a request in this transaction: nothing else is awaited, so it stays open.
	const reach = async (record: PinRecord, into: Reached) => {
		const place = record.kind === 'directory' ? '*' : record.path;
		const load = async (block: CID) => {
			const found = (await blocks.get(block.toString())) as BlockRecord | undefined;
			if (!found?.bytes) throw new Error(`no stored node ${block.toString()}`);
			return found.bytes;
		};
		try {
			for await (const { cid: block } of walkDag(CID.parse(record.cid), load, {
				loadLeaves: false
			})) {
				const entry = into.get(block.toString()) ?? { cid: block, places: new Set() };
				entry.places.add(place);
				into.set(block.toString(), entry);
			}
		} catch {
			// An unreadable node: what was reached is still counted.
		}
	};
	try {
		const pin = (await pins.get(cid)) as PinRecord | undefined;
		if (!pin) {
			await tx.done;
			return [];
		}
		const removed = [pin];
		if (pin.kind === 'directory')
			for (const file of pin.files ?? []) {
				const child = (await pins.get(file.cid)) as PinRecord | undefined;
				if (child?.parent === cid) removed.push(child);
			}
		const doomed: Reached = new Map();
		for (const record of removed) await reach(record, doomed);
		for (const record of removed) await pins.delete(record.cid);
		const live: Reached = new Map();
		for (const record of (await pins.getAll()) as unknown as PinRecord[]) await reach(record, live);
		for (const [key, { cid: block, places }] of doomed) {
			const livePlaces = live.get(key)?.places;
			if (!livePlaces) {
				await blocks.delete(key);
				continue;
			}
			if (block.code !== raw.code || livePlaces.has('*')) continue;
			const gone = [...places].filter((place) => place !== undefined && !livePlaces.has(place));
			if (gone.length === 0) continue;
			const record = (await blocks.get(key)) as BlockRecord | undefined;
			if (!record) continue;
			const remaining = (record.leaf ?? []).filter((location) => !gone.includes(location.path));
			if (record.bytes || remaining.length === 0) await blocks.delete(key);
			else await blocks.put({ cid: key, leaf: remaining });
		}
		await tx.done;
		return removed;
	} catch (error) {
		try {
			tx.abort();
		} catch {
			// Already finished or aborted.
		}
		await tx.done.catch(() => undefined);
		throw error;
	}
}
