/**
 * Unpinning is one IndexedDB transaction: when it fails part way (here the first block record it
 * deletes throws), the pin and every block record are as they were, and a later unpin finishes.
 * Before, the pins went in their own transactions first: a failure left the model unpinned with
 * its blocks behind, never collected.
 */
import { afterEach, expect, test } from 'vitest';
import { closeIpfs, isPinned, pinFile, unpin } from '../../src/lib/ipfs';
import { IpfsService } from '../../src/lib/ipfs/service';
import { openCitrateDB } from '../../src/lib/storage/db';

const realDelete = IDBObjectStore.prototype.delete;

afterEach(() => {
	IDBObjectStore.prototype.delete = realDelete;
});

test('an unpin that fails part way changes nothing; the next one removes the pin and its blocks', async () => {
	const db = await openCitrateDB();
	const before = (await db.getAllKeys('ipfsBlocks')).length;
	const bytes = new Uint8Array(3 * 262_144 + 1000).map((_, index) => (index * 31) % 251);
	const { cid } = await pinFile({ blob: new Blob([bytes]), name: 'atomic.gguf' });
	const pinned = (await db.getAllKeys('ipfsBlocks')).length;
	expect(pinned).toBeGreaterThan(before);

	IDBObjectStore.prototype.delete = function (
		this: IDBObjectStore,
		key: IDBValidKey | IDBKeyRange
	) {
		if (this.name === 'ipfsBlocks') throw new DOMException('Disk failed', 'UnknownError');
		return realDelete.call(this, key);
	};
	// The service's unpin, here on the page, where the failing delete is installed.
	const failed = await new IpfsService().unpin(cid).catch((error: unknown) => error);
	expect(failed).toBeInstanceOf(DOMException);
	IDBObjectStore.prototype.delete = realDelete;
	expect(await isPinned(cid)).toBe(true);
	expect(await db.get('ipfsPins', cid)).toBeDefined();
	expect((await db.getAllKeys('ipfsBlocks')).length).toBe(pinned);

	await unpin(cid);
	expect(await isPinned(cid)).toBe(false);
	expect((await db.getAllKeys('ipfsBlocks')).length).toBe(before);
	closeIpfs();
});
