import { openCitrateDB } from '../storage/db';
import type { SerializedAppError } from '../errors';
import type { PinStatusValue } from './spec';

/**
 * What this device knows of each model's remote pin (IndexedDB `settings`, key `remotePins`):
 * written only from the service's own answers, so a pin is shown as pinned only when the
 * service said so.
 */
export interface RemotePinRecord {
	modelId: string;
	cid: string;
	endpoint: string;
	requestid: string;
	status: PinStatusValue;
	updatedAt: number;
	/** The service's `delegates` (the node fetching the pin), dialed again after a reload. */
	delegates?: string[];
	/** The last error (service unavailable, pin failed), if any. */
	error?: SerializedAppError;
}

const KEY = 'remotePins';

export async function readRemotePins(): Promise<Record<string, RemotePinRecord>> {
	const db = await openCitrateDB();
	const value = (await db.get('settings', KEY))?.value;
	return typeof value === 'object' && value !== null
		? (value as Record<string, RemotePinRecord>)
		: {};
}

export async function writeRemotePin(record: RemotePinRecord): Promise<void> {
	const db = await openCitrateDB();
	const tx = db.transaction('settings', 'readwrite');
	const current = ((await tx.store.get(KEY))?.value ?? {}) as Record<string, RemotePinRecord>;
	await tx.store.put({ key: KEY, value: { ...current, [record.modelId]: record } });
	await tx.done;
}

export async function deleteRemotePin(modelId: string): Promise<void> {
	const db = await openCitrateDB();
	const tx = db.transaction('settings', 'readwrite');
	const current = {
		...(((await tx.store.get(KEY))?.value ?? {}) as Record<string, RemotePinRecord>)
	};
	delete current[modelId];
	await tx.store.put({ key: KEY, value: current });
	await tx.done;
}
