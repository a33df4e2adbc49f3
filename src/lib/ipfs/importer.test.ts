import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import { describe, expect, test } from 'vitest';
import { buildDirectory } from './directory';
import { importFile, type DagSink } from './importer';

/** Deterministic pseudo-random bytes (xorshift32), so CIDs are stable across runs. */
function bytesOf(length: number, seed = 1): Uint8Array {
	const out = new Uint8Array(length);
	let state = seed;
	for (let index = 0; index < length; index++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		out[index] = state & 0xff;
	}
	return out;
}

async function* inPieces(bytes: Uint8Array, piece: number): AsyncGenerator<Uint8Array> {
	for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

/** The reference: ipfs-unixfs-importer configured here, independently, as kubo's flags are. */
async function referenceImport(files: { path: string; bytes: Uint8Array }[], wrap = false) {
	const blockstore = new MemoryBlockstore();
	const results = [];
	for await (const entry of importer(
		files.map((file) => ({ path: file.path, content: file.bytes })),
		blockstore,
		{
			cidVersion: 1,
			rawLeaves: true,
			chunker: fixedSize({ chunkSize: 256 * 1024 }),
			layout: balanced({ maxChildrenPerNode: 174 }),
			wrapWithDirectory: wrap
		}
	))
		results.push(entry);
	return results;
}

class RecordingSink implements DagSink {
	nodes = new Map<string, Uint8Array>();
	leaves: { cid: string; offset: number; length: number }[] = [];
	putNode(cid: CID, bytes: Uint8Array): Promise<void> {
		this.nodes.set(cid.toString(), bytes.slice());
		return Promise.resolve();
	}
	putLeaf(cid: CID, offset: number, length: number): Promise<void> {
		this.leaves.push({ cid: cid.toString(), offset, length });
		return Promise.resolve();
	}
}

describe('kubo-compatible CIDs', () => {
	test('the empty file is the raw CID of sha256("") that kubo prints', async () => {
		const { cid } = await importFile(inPieces(new Uint8Array(0), 1), new RecordingSink());
		expect(cid.toString()).toBe('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku');
	});

	test('a file of one chunk is its raw leaf', async () => {
		const bytes = new TextEncoder().encode('hello world\n');
		const { cid } = await importFile(inPieces(bytes, 5), new RecordingSink());
		expect(cid.code).toBe(0x55);
		const [reference] = await referenceImport([{ path: 'a', bytes }]);
		expect(cid.equals(reference!.cid)).toBe(true);
	});

	// 174 * 256 KiB + 3 bytes needs two levels (the balanced layout's 175th leaf starts a new node)
	for (const length of [262_144, 262_145, 1_000_000, 174 * 262_144 + 3]) {
		test(`${length} bytes fed in odd pieces: same CID and leaves as the reference importer`, async () => {
			const bytes = bytesOf(length, length);
			const sink = new RecordingSink();
			const result = await importFile(inPieces(bytes, 100_003), sink);
			const [reference] = await referenceImport([{ path: 'a', bytes }]);
			expect(result.cid.toString()).toBe(reference!.cid.toString());
			expect(result.cid.version).toBe(1);
			expect(result.size).toBe(length);
			expect(BigInt(result.dagSize)).toBe(reference!.size);
			// leaves cover the file exactly, in order, in 256 KiB chunks
			const sorted = [...sink.leaves].sort((a, b) => a.offset - b.offset);
			expect(sorted.reduce((sum, leaf) => sum + leaf.length, 0)).toBe(length);
			expect(sorted.every((leaf, index) => leaf.offset === index * 262_144)).toBe(true);
			// only DAG-PB nodes were stored, and few of them
			for (const key of sink.nodes.keys()) expect(CID.parse(key).code).toBe(0x70);
			expect(sink.nodes.size).toBeLessThanOrEqual(Math.ceil(sorted.length / 174) + 1);
		});
	}

	test('a sharded variant: file CIDs and the directory CID match the reference', async () => {
		const files = [
			{ path: 'm-00001-of-00002.gguf', bytes: bytesOf(700_000, 7) },
			{ path: 'm-00002-of-00002.gguf', bytes: bytesOf(300_001, 9) }
		];
		const reference = await referenceImport(files, true);
		const entries = [];
		for (const file of files) {
			const result = await importFile(inPieces(file.bytes, 65_536), new RecordingSink());
			const ref = reference.find((entry) => entry.path === file.path);
			expect(result.cid.toString()).toBe(ref!.cid.toString());
			entries.push({ name: file.path, cid: result.cid, dagSize: result.dagSize });
		}
		const directory = await buildDirectory(entries.reverse());
		const root = reference.find((entry) => entry.path === '');
		expect(directory.cid.toString()).toBe(root!.cid.toString());
	});
});
