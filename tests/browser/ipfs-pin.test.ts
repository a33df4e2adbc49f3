import { CarReader } from '@ipld/car';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, describe, expect, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import {
	closeIpfs,
	exportCar,
	isPinned,
	listPins,
	pinFile,
	pinVariant,
	unpin,
	verifyPin
} from '../../src/lib/ipfs';
import { openCitrateDB } from '../../src/lib/storage/db';
import { partsPath, storeModelFile } from '../../src/lib/storage';

/** Deterministic bytes, fast enough for tens of MiB. */
function bytesOf(length: number, seed: number): Uint8Array<ArrayBuffer> {
	const words = new Uint32Array(Math.ceil(length / 4));
	let state = seed || 1;
	for (let index = 0; index < words.length; index++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		words[index] = state;
	}
	return new Uint8Array(words.buffer, 0, length);
}

/** The expected CID, computed here with ipfs-unixfs-importer and kubo's settings. */
async function referenceCid(files: { name: string; bytes: Uint8Array }[], wrap = false) {
	const out = new Map<string, string>();
	for await (const entry of importer(
		files.map((file) => ({ path: file.name, content: file.bytes })),
		new MemoryBlockstore(),
		{
			cidVersion: 1,
			rawLeaves: true,
			chunker: fixedSize({ chunkSize: 262_144 }),
			layout: balanced({ maxChildrenPerNode: 174 }),
			wrapWithDirectory: wrap
		}
	))
		out.set(entry.path ?? '', entry.cid.toString());
	return out;
}

/** Bytes the ipfsBlocks store holds: stored node bytes plus the serialized leaf locations. */
async function ipfsBlocksBytes(): Promise<{ bytes: number; records: number }> {
	const db = await openCitrateDB();
	const records = await db.getAll('ipfsBlocks');
	let bytes = 0;
	for (const record of records)
		bytes +=
			record.cid.length +
			(record.bytes?.byteLength ?? 0) +
			JSON.stringify(record.leaf ?? null).length;
	return { bytes, records: records.length };
}

async function indexedDbUsage(): Promise<number | undefined> {
	const estimate = (await navigator.storage.estimate()) as StorageEstimate & {
		usageDetails?: { indexedDB?: number };
	};
	return estimate.usageDetails?.indexedDB;
}

async function flipByte(path: string[], segment: string, at: number): Promise<void> {
	let dir = await navigator.storage.getDirectory();
	for (const name of path) dir = await dir.getDirectoryHandle(name);
	const handle = await dir.getFileHandle(segment);
	const old = new Uint8Array(await (await handle.getFile()).slice(at, at + 1).arrayBuffer());
	const writable = await handle.createWritable({ keepExistingData: true });
	await writable.write({ type: 'write', position: at, data: Uint8Array.of((old[0] ?? 0) ^ 0x01) });
	await writable.close();
}

afterAll(() => closeIpfs());

describe('IPFS pinning in the Helia worker (OPFS-backed blockstore)', () => {
	test('pin a 40 MiB model file: kubo CID, tiny index, survives re-opening, detects a changed byte', async () => {
		const size = 40 * 1024 * 1024 + 12_345;
		const bytes = bytesOf(size, 42);
		const target = { repoId: 'ipfs-test/pin-llama', revision: 'rev1', path: 'pin-llama-Q8_0.gguf' };
		await storeModelFile(target, new Blob([bytes]));
		const expected = (await referenceCid([{ name: 'x', bytes }])).get('x');

		const before = await ipfsBlocksBytes();
		const idbBefore = await indexedDbUsage();
		const progress: number[] = [];
		const { cid, size: pinnedSize } = await pinFile(
			{ model: target, sha256: 'ab'.repeat(32) },
			{ onProgress: (event) => progress.push(event.bytesDone) }
		);
		expect(cid).toBe(expected);
		expect(pinnedSize).toBe(size);
		expect(progress.at(-1)).toBe(size);

		// Only the DAG nodes and leaf locations are in IndexedDB: a small fraction of the file.
		const after = await ipfsBlocksBytes();
		const grown = after.bytes - before.bytes;
		expect(after.records - before.records).toBe(Math.ceil(size / 262_144) + 1); // 161 leaves + the root node
		expect(grown).toBeLessThan(size * 0.01);
		const idbAfter = await indexedDbUsage();
		if (idbBefore !== undefined && idbAfter !== undefined)
			expect(idbAfter - idbBefore).toBeLessThan(size * 0.05);

		expect(await isPinned(cid)).toBe(true);
		const pins = await listPins();
		expect(pins.find((pin) => pin.cid === cid)).toMatchObject({
			kind: 'file',
			size,
			sha256: 'ab'.repeat(32),
			name: 'pin-llama-Q8_0.gguf'
		});

		// A fresh worker (as after a reload) sees the same pins and reads the blocks back.
		closeIpfs();
		expect(await isPinned(cid)).toBe(true);
		await verifyPin(cid);

		// Export as CAR: the root, then every block, each matching its CID.
		const car = await CarReader.fromBytes(
			new Uint8Array(await (await exportCar(cid)).arrayBuffer())
		);
		expect((await car.getRoots())[0]?.toString()).toBe(cid);
		let leafBytes = 0;
		for await (const block of car.blocks()) {
			const digest = (await sha256.digest(block.bytes)).digest;
			expect(digest).toEqual(block.cid.multihash.digest);
			if (block.cid.code === 0x55) leafBytes += block.bytes.byteLength;
		}
		expect(leafBytes).toBe(size);

		// One changed byte in the model file (in the second 8 MiB segment) fails verification.
		await flipByte(partsPath(target.repoId, target.revision, target.path), '00001', 1000);
		const error = await verifyPin(cid).catch((e: unknown) => e);
		expect(AppError.is(error, 'IPFS_BLOCK_INVALID')).toBe(true);
		expect((error as AppError).message).toMatch(/changed/);
		const carError = await exportCar(cid).catch((e: unknown) => e);
		expect(AppError.is(carError, 'IPFS_BLOCK_INVALID')).toBe(true);

		// Unpinning removes the pin and its index entries.
		await unpin(cid);
		expect(await isPinned(cid)).toBe(false);
		expect((await ipfsBlocksBytes()).records).toBe(before.records);
	});

	test('a sharded variant: one CID per shard and the directory CID, as kubo would', async () => {
		const shards = [
			{ name: 'shard-Q8_0-00001-of-00002.gguf', bytes: bytesOf(3 * 1024 * 1024 + 5, 7) },
			{ name: 'shard-Q8_0-00002-of-00002.gguf', bytes: bytesOf(1024 * 1024 - 3, 8) }
		];
		for (const shard of shards)
			await storeModelFile(
				{ repoId: 'ipfs-test/shards', revision: 'r', path: shard.name },
				new Blob([shard.bytes])
			);
		const expected = await referenceCid(shards, true);
		const result = await pinVariant(
			shards.map((shard) => ({
				model: { repoId: 'ipfs-test/shards', revision: 'r', path: shard.name }
			}))
		);
		expect(result.cids).toEqual(shards.map((shard) => expected.get(shard.name)));
		expect(result.directoryCid).toBe(expected.get(''));
		for (const cid of [...result.cids, result.directoryCid]) expect(await isPinned(cid)).toBe(true);
		await verifyPin(result.directoryCid);

		// The first shard pinned on its own too: unpinning the variant keeps it, readable.
		const alone = await pinFile({
			model: { repoId: 'ipfs-test/shards', revision: 'r', path: shards[0]!.name }
		});
		expect(alone.cid).toBe(result.cids[0]);
		await unpin(result.directoryCid);
		expect(await isPinned(result.directoryCid)).toBe(false);
		expect(await isPinned(result.cids[1]!)).toBe(false);
		expect(await isPinned(alone.cid)).toBe(true);
		await verifyPin(alone.cid);
		await unpin(alone.cid);
		expect(await isPinned(alone.cid)).toBe(false);
	});

	test('a Blob that is not in OPFS is pinned with its leaves copied; bad input is a clear error', async () => {
		const bytes = bytesOf(600_000, 3);
		const { cid } = await pinFile({ blob: new Blob([bytes]), name: 'loose.gguf' });
		expect(cid).toBe((await referenceCid([{ name: 'a', bytes }])).get('a'));
		await verifyPin(cid);
		await unpin(cid);

		const missing = await pinFile({ opfsPath: 'models/nope/nothing.gguf.parts' }).catch(
			(e: unknown) => e
		);
		expect(AppError.is(missing, 'IPFS_NOT_FOUND')).toBe(true);
		const badCid = await isPinned('not-a-cid').catch((e: unknown) => e);
		expect(AppError.is(badCid, 'IPFS_NOT_FOUND')).toBe(true);
	});
});
