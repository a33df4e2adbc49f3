/**
 * The Filestore looks up a want list's records in one IndexedDB transaction, and the `has` and
 * `get` that follow for each block use them; the page's peer reads leaves as views of the file.
 */
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterEach, expect, test, vi } from 'vitest';
import { blockIndex } from '../../src/lib/ipfs/block-index';
import { FilestoreBlockstore } from '../../src/lib/ipfs/blockstore';
import { OpfsFiles } from '../../src/lib/ipfs/opfs-files';

const PATH = 'test-filestore-lookup/model.gguf';
const LEAF = 1024;

/** A file of four leaves in OPFS, each located in the block index. */
async function storedLeaves(): Promise<{ cids: CID[]; bytes: Uint8Array }> {
	const bytes = Uint8Array.from(
		{ length: 4 * LEAF },
		(_, i) => (i * 7 + Math.floor(i / LEAF) * 101) % 256
	);
	const root = await navigator.storage.getDirectory();
	const dir = await root.getDirectoryHandle('test-filestore-lookup', { create: true });
	const writable = await (await dir.getFileHandle('model.gguf', { create: true })).createWritable();
	await writable.write(bytes);
	await writable.close();
	const cids: CID[] = [];
	for (let index = 0; index < 4; index++) {
		const leaf = bytes.subarray(index * LEAF, (index + 1) * LEAF);
		cids.push(CID.create(1, raw.code, await sha256.digest(leaf)));
	}
	await blockIndex.commit(
		new Map(),
		cids.map((cid, index) => ({
			cid: cid.toString(),
			location: { path: PATH, offset: index * LEAF, length: LEAF }
		})),
		[]
	);
	return { cids, bytes };
}

afterEach(async () => {
	vi.restoreAllMocks();
	for (const cid of await blockIndex.allCids()) await blockIndex.delete(cid);
	await (
		await navigator.storage.getDirectory()
	).removeEntry('test-filestore-lookup', {
		recursive: true
	});
});

test('a want list is looked up in one transaction; has and get then read no record again', async () => {
	const { cids, bytes } = await storedLeaves();
	const store = new FilestoreBlockstore(new OpfsFiles());
	const getMany = vi.spyOn(blockIndex, 'getMany');
	const get = vi.spyOn(blockIndex, 'get');
	const absent = CID.create(1, raw.code, await sha256.digest(new Uint8Array([1, 2, 3])));
	store.lookUp([...cids, absent]);
	expect(getMany).toHaveBeenCalledTimes(1);
	for (const [index, cid] of cids.entries()) {
		expect(await store.has(cid)).toBe(true);
		const block = await store.getBlock(cid);
		expect([...block]).toEqual([...bytes.subarray(index * LEAF, (index + 1) * LEAF)]);
		// A copy that owns its buffer: it may be posted to another thread.
		expect(block.buffer.byteLength).toBe(LEAF);
	}
	expect(get).not.toHaveBeenCalled();
	// A record not found is not remembered: asked for, it is looked up again.
	expect(await store.has(absent)).toBe(false);
	expect(get).toHaveBeenCalledTimes(1);
});

test('with leafViews, leaves are views into one read of the file', async () => {
	const { cids, bytes } = await storedLeaves();
	const store = new FilestoreBlockstore(new OpfsFiles(), { leafViews: true });
	const blocks = await Promise.all(cids.map((cid) => store.getBlock(cid)));
	blocks.forEach((block, index) => {
		expect([...block]).toEqual([...bytes.subarray(index * LEAF, (index + 1) * LEAF)]);
		expect(block.buffer).toBe(blocks[0]!.buffer);
	});
});
