import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { openCitrateDB } from '../storage/db';

const KEY = 'p2p.identity';

/**
 * This device's peer key (Ed25519), kept in IndexedDB: the peer id stays the same across reloads,
 * so a share link keeps working and a receiver can resume after the sender comes back.
 */
export async function loadIdentity(): Promise<PrivateKey> {
	const db = await openCitrateDB();
	const saved = (await db.get('settings', KEY))?.value;
	if (saved instanceof Uint8Array) {
		try {
			return privateKeyFromProtobuf(saved);
		} catch {
			// Unreadable: a new identity below.
		}
	}
	const key = await generateKeyPair('Ed25519');
	await db.put('settings', { key: KEY, value: privateKeyToProtobuf(key) });
	return key;
}
