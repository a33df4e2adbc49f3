import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { limited } from './limited';
import { planFile } from './plan-file';

/** A file cut into 64-byte raw leaves, at most 4 links a node: three levels under the root. */
async function smallChunkDag(length: number) {
	const bytes = Uint8Array.from({ length }, (_, i) => (i * 13 + (i >> 6)) % 256);
	const blocks = new Map<string, Uint8Array>();
	const sink = {
		put: async (cid: CID, block: Uint8Array) => {
			blocks.set(cid.toString(), block);
			return cid;
		}
	};
	let root: CID | undefined;
	for await (const entry of importer([{ content: bytes }], sink as never, {
		cidVersion: 1,
		rawLeaves: true,
		chunker: fixedSize({ chunkSize: 64 }),
		layout: balanced({ maxChildrenPerNode: 4 })
	}))
		root = entry.cid;
	return { bytes, blocks, root: root! };
}

/** Serves blocks after a short wait, counting how many were being fetched at once. */
function slowSource(blocks: Map<string, Uint8Array>) {
	let running = 0;
	const seen = { most: 0, fetched: 0 };
	const source = {
		async block(cid: CID) {
			running++;
			seen.most = Math.max(seen.most, running);
			await new Promise((resolve) => setTimeout(resolve, 5));
			running--;
			seen.fetched++;
			const block = blocks.get(cid.toString());
			if (!block) throw new Error(`no block ${cid}`);
			return block;
		}
	};
	return { source, seen };
}

describe('planFile', () => {
	it('fetches the children of a node together (at most `ahead`) and lays the leaves out in file order', async () => {
		const { bytes, blocks, root } = await smallChunkDag(64 * 64);
		const { source, seen } = slowSource(blocks);
		const nodes = new Map<string, Uint8Array>();
		const plan = await planFile(
			{ name: 'f.gguf', cid: root, bytes: blocks.get(root.toString())! },
			limited(3, source.block),
			nodes
		);
		expect(plan.size).toBe(bytes.byteLength);
		expect(plan.leaves).toHaveLength(64);
		// Each leaf's place holds exactly that leaf's bytes.
		for (const leaf of plan.leaves) {
			const digest = await sha256.digest(bytes.subarray(leaf.offset, leaf.offset + leaf.length));
			expect(CID.create(1, raw.code, digest).equals(leaf.cid)).toBe(true);
		}
		// 4 + 16 interior nodes under the root: fetched 3 at a time, never more.
		expect(seen.fetched).toBe(20);
		expect(nodes.size).toBe(21);
		expect(seen.most).toBe(3);
	});

	it('refuses a node whose child holds other than the bytes it says', async () => {
		const leaf = (text: string) => new TextEncoder().encode(text);
		const [a, b] = [leaf('abcd'), leaf('efgh')];
		const blocks = new Map<string, Uint8Array>();
		const rawCid = async (bytes: Uint8Array) => {
			const cid = CID.create(1, raw.code, await sha256.digest(bytes));
			blocks.set(cid.toString(), bytes);
			return cid;
		};
		const fileNode = async (links: CID[], sizes: number[]) => {
			const block = dagPb.encode(
				dagPb.prepare({
					Data: new UnixFS({ type: 'file', blockSizes: sizes.map(BigInt) }).marshal(),
					Links: links.map((Hash) => ({ Hash }))
				})
			);
			const cid = CID.create(1, dagPb.code, await sha256.digest(block));
			blocks.set(cid.toString(), block);
			return { cid, block };
		};
		const inner = await fileNode([await rawCid(a), await rawCid(b)], [4, 4]);
		const root = await fileNode([inner.cid], [9]);
		const { source } = slowSource(blocks);
		await expect(
			planFile({ name: 'f.gguf', cid: root.cid, bytes: root.block }, source.block, new Map())
		).rejects.toMatchObject({ code: 'IPFS_BLOCK_INVALID' });
	});
});
