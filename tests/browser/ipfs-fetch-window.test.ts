/**
 * The model pipeline's fetch window: a new leaf is asked for as soon as any arrives, so one slow
 * block does not leave the network idle behind it (the app kept pace with bare Helia only so).
 */
import { sha256 as sha256Hex } from 'hash-wasm';
import { importer } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { afterAll, expect, test } from 'vitest';
import { closeIpfs, fetchFromSource, unpin } from '../../src/lib/ipfs';
import { PEER_FETCH_AHEAD } from '../../src/lib/ipfs/fetch-window';
import { kuboImporterOptions } from '../../src/lib/ipfs/importer';
import { deleteLocalModel } from '../../src/lib/storage';

afterAll(() => closeIpfs());

function bytesOf(length: number, seed: number): Uint8Array<ArrayBuffer> {
	const words = new Uint32Array(Math.ceil(length / 4));
	let state = seed;
	for (let index = 0; index < words.length; index++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		words[index] = state;
	}
	return new Uint8Array(words.buffer, 0, length);
}

/** The file's blocks as kubo would make them, kept in memory (what a peer would serve). */
async function importInMemory(bytes: Uint8Array) {
	const blocks = new Map<string, Uint8Array>();
	let root: CID | undefined;
	const sink = {
		put: async (cid: CID, block: Uint8Array) => {
			blocks.set(cid.toString(), block.slice());
			return cid;
		}
	};
	for await (const entry of importer([{ content: bytes }], sink as never, kuboImporterOptions()))
		root = entry.cid;
	if (!root) throw new Error('the importer gave no root');
	return { blocks, root };
}

/** More leaves than a window that waits for the first would ask (the peer source keeps `PEER_FETCH_AHEAD`, 64, in flight). */
const WINDOW = 32;
const LEAVES = 48;

test('a slow first block does not stop the leaves behind it from being asked for; the file is still written in order and verified', async () => {
	const bytes = bytesOf(LEAVES * 262_144, 7);
	const { blocks, root } = await importInMemory(bytes);
	const sha256 = await sha256Hex(bytes);
	const record = {
		repoId: 'citrate-test/window-GGUF',
		revision: 'main',
		variant: 'Q8_0',
		files: [{ path: 'window-Q8_0.gguf', size: bytes.byteLength, sha256 }]
	};

	// The first leaf is held back until the pipeline has asked for more leaves than its window
	// (or, on a pipeline that waits for it, until 10 s have passed).
	let leavesAsked = 0;
	let askedWhileHeld = 0;
	let release: () => void = () => {};
	const held = new Promise<void>((resolve) => {
		release = resolve;
		setTimeout(resolve, 10_000);
	});
	let first: string | undefined;
	let holding = true;
	const { model } = await fetchFromSource(
		{ cid: root.toString(), gateways: [], record },
		async (cidText) => {
			const block = blocks.get(cidText);
			if (!block) throw new Error(`no block ${cidText}`);
			if (CID.parse(cidText).code !== raw.code) return block.slice();
			leavesAsked++;
			first ??= cidText;
			if (cidText === first) {
				await held;
				holding = false;
				return block.slice();
			}
			if (holding) askedWhileHeld = leavesAsked;
			if (leavesAsked > WINDOW + 4) release();
			return block.slice();
		}
	);
	expect(askedWhileHeld).toBeGreaterThan(WINDOW);
	expect(model.files[0]).toMatchObject({ size: bytes.byteLength, sha256 });
	await unpin(model.cid!);
	await deleteLocalModel(model.id);
});

test('each block crosses to the Helia worker transferred, not copied', async () => {
	const bytes = bytesOf(6 * 262_144, 11);
	const { blocks, root } = await importInMemory(bytes);
	// Every reply the page posts with a block in it: whether its buffer went in the transfer list.
	const replies: { transferred: boolean; detached: boolean }[] = [];
	const post = MessagePort.prototype.postMessage;
	MessagePort.prototype.postMessage = function (
		this: MessagePort,
		message: unknown,
		options?: Transferable[] | StructuredSerializeOptions
	) {
		const value = (message as { value?: { value?: unknown } } | undefined)?.value?.value;
		const list = Array.isArray(options) ? options : (options?.transfer ?? []);
		post.call(this, message, { transfer: list });
		if (value instanceof Uint8Array)
			replies.push({
				transferred: list.includes(value.buffer),
				detached: value.buffer.byteLength === 0
			});
	} as typeof post;
	try {
		const { model } = await fetchFromSource(
			{ cid: root.toString(), gateways: [], name: 'transfer.gguf' },
			async (cidText) => blocks.get(cidText)!.slice()
		);
		expect(model.totalBytes).toBe(bytes.byteLength);
		await unpin(model.cid!);
		await deleteLocalModel(model.id);
	} finally {
		MessagePort.prototype.postMessage = post;
	}
	expect(replies.length).toBeGreaterThanOrEqual(blocks.size);
	expect(replies.every((reply) => reply.transferred && reply.detached)).toBe(true);
});

test('the page asks for the next leaf as soon as one arrives, without waiting for the worker to ask', async () => {
	const bytes = bytesOf(LEAVES * 2 * 262_144, 13);
	const { blocks, root } = await importInMemory(bytes);
	const answers = new Map<string, () => void>();
	let leavesAsked = 0;
	const fetching = fetchFromSource(
		{ cid: root.toString(), gateways: [], name: 'ahead.gguf' },
		async (cidText) => {
			const block = blocks.get(cidText)!.slice();
			if (CID.parse(cidText).code !== raw.code) return block;
			leavesAsked++;
			await new Promise<void>((resolve) => answers.set(cidText, resolve));
			return block;
		}
	);
	// The window fills: every leaf asked for waits for its answer.
	await expect.poll(() => leavesAsked, { timeout: 10_000 }).toBe(PEER_FETCH_AHEAD);
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(leavesAsked).toBe(PEER_FETCH_AHEAD);
	// One leaf arrives. Only microtasks run after it (no message can reach the worker and come
	// back): the next leaf is asked for all the same.
	answers.values().next().value!();
	for (let tick = 0; tick < 20; tick++) await Promise.resolve();
	expect(leavesAsked).toBe(PEER_FETCH_AHEAD + 1);
	// The rest are answered as they are asked for; the file comes out whole.
	const drain = setInterval(() => {
		for (const [cid, answer] of answers) {
			answers.delete(cid);
			answer();
		}
	}, 5);
	try {
		const { model } = await fetching;
		expect(model.totalBytes).toBe(bytes.byteLength);
		expect(model.files[0]?.sha256).toBe(await sha256Hex(bytes));
		await unpin(model.cid!);
		await deleteLocalModel(model.id);
	} finally {
		clearInterval(drain);
	}
});
