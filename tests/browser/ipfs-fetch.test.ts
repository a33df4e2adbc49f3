import * as dagPb from '@ipld/dag-pb';
import { sha256 as sha256Hex } from 'hash-wasm';
import { afterAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import {
	closeIpfs,
	fetchByCid,
	fetchFromSource,
	isPinned,
	listPins,
	verifyPin,
	type IpfsProgress
} from '../../src/lib/ipfs';
import { listLocalModels, openModelFiles } from '../../src/lib/storage';

const gateway = inject('ipfsGatewayUrl');

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

async function addToGateway(name: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
	const response = await fetch(`${gateway}/__gateway/add?name=${encodeURIComponent(name)}`, {
		method: 'POST',
		body: bytes
	});
	return ((await response.json()) as { cid: string }).cid;
}

async function control(path: string, method: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${gateway}/__gateway/${path}`, {
		method,
		...(body === undefined ? {} : { body: JSON.stringify(body) })
	});
	return response.json();
}

/** The CID of the `index`-th leaf of a file, read from its root node on the gateway. */
async function leafCid(root: string, index: number): Promise<string> {
	const response = await fetch(`${gateway}/ipfs/${root}?format=raw`);
	const node = dagPb.decode(new Uint8Array(await response.arrayBuffer()));
	return node.Links[index]!.Hash.toString();
}

async function blockRequests(): Promise<number> {
	const log = (await control('requests', 'GET')) as { url: string }[];
	return log.filter((entry) => entry.url.startsWith('/ipfs/')).length;
}

beforeEach(async () => {
	await control('faults', 'DELETE');
	await control('requests', 'DELETE');
});
afterAll(() => closeIpfs());

describe('add a model by CID from a trustless gateway', () => {
	test('fetches, verifies every block, stores in OPFS, pins and registers a chat-loadable model', async () => {
		const bytes = bytesOf(5 * 1024 * 1024 + 777, 11);
		const cid = await addToGateway('gw-llama-Q8_0.gguf', bytes);
		const progress: IpfsProgress[] = [];
		const { model } = await fetchByCid(
			{ cid, gateways: [gateway], name: 'gw-llama-Q8_0' },
			{ onProgress: (event) => progress.push(event) }
		);
		expect(model).toMatchObject({
			source: 'ipfs',
			cid,
			totalBytes: bytes.byteLength,
			variant: 'gw-llama-Q8_0'
		});
		expect(model.files).toEqual([
			{ path: 'gw-llama-Q8_0.gguf', size: bytes.byteLength, sha256: await sha256Hex(bytes), cid }
		]);
		expect(progress.at(-1)).toMatchObject({
			phase: 'fetch',
			bytesDone: bytes.byteLength,
			totalBytes: bytes.byteLength
		});

		expect((await listLocalModels()).map((m) => m.id)).toContain(model.id);
		const [file] = await openModelFiles(model.id);
		expect(file!.size).toBe(bytes.byteLength);
		expect(await sha256Hex(new Uint8Array(await file!.arrayBuffer()))).toBe(await sha256Hex(bytes));
		expect(await isPinned(cid)).toBe(true);
		await verifyPin(cid); // leaves now read from the OPFS copy

		// Every request asked for a single verifiable block.
		const log = (await control('requests', 'GET')) as { url: string; accept: string }[];
		expect(log.length).toBe(1 + Math.ceil(bytes.byteLength / 262_144));
		for (const entry of log) expect(entry.accept).toBe('application/vnd.ipld.raw');
	});

	test('a sharded variant by directory CID: one model with its shards in order', async () => {
		const shards = [
			{ name: 'gw-shard-Q8_0-00001-of-00002.gguf', bytes: bytesOf(700_000, 21) },
			{ name: 'gw-shard-Q8_0-00002-of-00002.gguf', bytes: bytesOf(300_000, 22) }
		];
		const toBase64 = (bytes: Uint8Array) => {
			let text = '';
			for (let at = 0; at < bytes.length; at += 0x8000)
				text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
			return btoa(text);
		};
		const added = (await control('add-directory', 'POST', {
			files: shards.map((shard) => ({ name: shard.name, base64: toBase64(shard.bytes) }))
		})) as { cid: string; files: { name: string; cid: string }[] };
		const { model } = await fetchByCid({ cid: added.cid, gateways: [gateway] });
		expect(model.variant).toBe('gw-shard-Q8_0');
		expect(model.cid).toBe(added.cid);
		expect(model.files.map((file) => [file.path, file.cid])).toEqual(
			added.files.map((file) => [file.name, file.cid])
		);
		const files = await openModelFiles(model.id);
		expect(files.map((file) => file.size)).toEqual([700_000, 300_000]);
		const pins = await listPins();
		expect(pins.find((pin) => pin.cid === added.cid)?.kind).toBe('directory');
	});

	test('a gateway that serves one wrong block is rejected and nothing is registered', async () => {
		const bytes = bytesOf(2 * 1024 * 1024, 31);
		const cid = await addToGateway('bad-llama.gguf', bytes);
		await control('faults', 'POST', { wrongBlock: await leafCid(cid, 5) });
		const before = (await listLocalModels()).length;
		const error = await fetchByCid({ cid, gateways: [gateway], name: 'bad-llama' }).catch(
			(e: unknown) => e
		);
		expect(AppError.is(error, 'IPFS_BLOCK_INVALID')).toBe(true);
		expect((error as AppError).message).toMatch(/does not match its CID/);
		expect((await listLocalModels()).length).toBe(before);
		expect(await isPinned(cid)).toBe(false);
		// A wrong root block too.
		await control('faults', 'DELETE');
		await control('faults', 'POST', { wrongBlock: cid });
		const rootError = await fetchByCid({ cid, gateways: [gateway] }).catch((e: unknown) => e);
		expect(AppError.is(rootError, 'IPFS_BLOCK_INVALID')).toBe(true);
		expect((await listLocalModels()).length).toBe(before);
	});

	test('an interrupted fetch resumes: committed segments are not fetched again', async () => {
		const size = 20 * 1024 * 1024;
		const bytes = bytesOf(size, 41);
		const cid = await addToGateway('resume-llama.gguf', bytes);
		// Leaf 68 starts at 17 MiB: it comes late, so the cancel at 17 MiB lands while it is awaited
		// (without the delay the whole file can be in memory before the cancel reaches the worker).
		await control('faults', 'POST', {
			delayBlock: await leafCid(cid, 68),
			delayMs: 10_000,
			times: 1
		});
		const controller = new AbortController();
		const first = await fetchByCid(
			{ cid, gateways: [gateway], name: 'resume-llama' },
			{
				signal: controller.signal,
				onProgress: (event) => {
					if (event.bytesDone >= 17 * 1024 * 1024) controller.abort();
				}
			}
		).catch((e: unknown) => e);
		await control('faults', 'DELETE');
		expect(AppError.is(first, 'ABORTED')).toBe(true);
		expect(await isPinned(cid)).toBe(false);

		await control('requests', 'DELETE');
		const { model } = await fetchByCid({ cid, gateways: [gateway], name: 'resume-llama' });
		// Two 8 MiB segments (64 leaves) were kept; the root plus the other 16 leaves were fetched.
		expect(await blockRequests()).toBe(1 + 16);
		const [file] = await openModelFiles(model.id);
		expect(await sha256Hex(new Uint8Array(await file!.arrayBuffer()))).toBe(await sha256Hex(bytes));
		expect(model.files[0]!.sha256).toBe(await sha256Hex(bytes));
	});

	test('bad input is a clear error', async () => {
		const notCid = await fetchByCid({ cid: 'hello', gateways: [gateway] }).catch((e: unknown) => e);
		expect(AppError.is(notCid, 'IPFS_NOT_FOUND')).toBe(true);
		const missing = await fetchByCid({
			cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
			gateways: [gateway]
		}).catch((e: unknown) => e);
		expect(AppError.is(missing, 'IPFS_NOT_FOUND')).toBe(true);
		const none = await fetchByCid({
			cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
			gateways: []
		}).catch((e: unknown) => e);
		expect(AppError.is(none, 'IPFS_GATEWAY')).toBe(true);
	});

	test('with a share link record: blocks from any source, the model keeps its repo and revision; a record that does not match is P2P_LINK_INVALID and nothing is registered', async () => {
		const bytes = bytesOf(1024 * 1024 + 99, 51);
		const cid = await addToGateway('linked-Q8_0.gguf', bytes);
		const sha256 = await sha256Hex(bytes);
		const record = {
			repoId: 'citrate-test/linked-GGUF',
			revision: 'b'.repeat(40),
			variant: 'Q8_0',
			files: [{ path: 'linked-Q8_0.gguf', size: bytes.byteLength, sha256 }]
		};
		const fromGateway = async (cidText: string) => {
			const response = await fetch(`${gateway}/ipfs/${cidText}?format=raw`);
			return new Uint8Array(await response.arrayBuffer());
		};
		const before = (await listLocalModels()).length;

		// A file whose SHA-256 is not the link's: refused after the bytes are checked.
		const wrongHash = await fetchFromSource(
			{
				cid,
				gateways: [],
				record: { ...record, files: [{ ...record.files[0]!, sha256: 'f'.repeat(64) }] }
			},
			fromGateway
		).catch((e: unknown) => e);
		expect(wrongHash).toMatchObject({ code: 'P2P_LINK_INVALID', message: /SHA-256/ });
		// Sizes or names that do not match the DAG: refused before fetching the file.
		const wrongSize = await fetchFromSource(
			{ cid, gateways: [], record: { ...record, files: [{ ...record.files[0]!, size: 5 }] } },
			fromGateway
		).catch((e: unknown) => e);
		expect(wrongSize).toMatchObject({ code: 'P2P_LINK_INVALID', message: /files or sizes/ });
		expect((await listLocalModels()).length).toBe(before);
		expect(await isPinned(cid)).toBe(false);

		// A block source that lies is caught by the pipeline's own check.
		const liar = await fetchFromSource({ cid, gateways: [], record }, async (cidText) => {
			const block = await fromGateway(cidText);
			if (block.byteLength === 262_144) block[7]! ^= 0xff;
			return block;
		}).catch((e: unknown) => e);
		expect(liar).toMatchObject({ code: 'IPFS_BLOCK_INVALID' });
		expect((await listLocalModels()).length).toBe(before);

		let blocks = 0;
		const { model } = await fetchFromSource({ cid, gateways: [], record }, (cidText) => {
			blocks++;
			return fromGateway(cidText);
		});
		expect(blocks).toBe(1 + 5);
		expect(model).toMatchObject({
			repoId: record.repoId,
			revision: record.revision,
			variant: 'Q8_0',
			cid,
			id: `${record.repoId}@${record.revision}:Q8_0`
		});
		expect(model.files).toEqual([
			{ path: 'linked-Q8_0.gguf', size: bytes.byteLength, sha256, cid }
		]);
	});
});
