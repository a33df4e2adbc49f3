import { CarReader } from '@ipld/car';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startIpfsGateway, type IpfsGateway } from '../../../tests/ipfs-gateway/server';

let gateway: IpfsGateway;
beforeAll(async () => {
	gateway = await startIpfsGateway();
});
afterAll(() => gateway.close());

function bytesOf(length: number): Uint8Array<ArrayBuffer> {
	const bytes = new Uint8Array(length);
	for (let index = 0; index < length; index++) bytes[index] = (index * 31 + 7) & 0xff;
	return bytes;
}

async function verified(cid: CID, bytes: Uint8Array): Promise<boolean> {
	const digest = (await sha256.digest(bytes)).digest;
	return Buffer.from(digest).equals(Buffer.from(cid.multihash.digest));
}

describe('test trustless gateway', () => {
	test('serves verifiable raw blocks and a CAR, and can serve one wrong block', async () => {
		const added = (await (
			await fetch(`${gateway.url}/__gateway/add?name=a.bin`, {
				method: 'POST',
				body: bytesOf(600_000)
			})
		).json()) as { cid: string; size: number };
		const root = CID.parse(added.cid);
		expect(added.size).toBe(600_000);

		const rawResponse = await fetch(`${gateway.url}/ipfs/${added.cid}`, {
			headers: { Accept: 'application/vnd.ipld.raw' }
		});
		expect(rawResponse.headers.get('content-type')).toBe('application/vnd.ipld.raw');
		expect(await verified(root, new Uint8Array(await rawResponse.arrayBuffer()))).toBe(true);

		const car = await CarReader.fromBytes(
			new Uint8Array(
				await (await fetch(`${gateway.url}/ipfs/${added.cid}?format=car`)).arrayBuffer()
			)
		);
		expect((await car.getRoots())[0]?.equals(root)).toBe(true);
		let blocks = 0;
		for await (const block of car.blocks()) {
			expect(await verified(block.cid, block.bytes)).toBe(true);
			blocks++;
		}
		expect(blocks).toBe(4); // root + 3 leaves of 256 KiB, 256 KiB, rest

		// 406 without a trustless format
		expect((await fetch(`${gateway.url}/ipfs/${added.cid}`)).status).toBe(406);

		await fetch(`${gateway.url}/__gateway/faults`, {
			method: 'POST',
			body: JSON.stringify({ wrongBlock: added.cid, times: 1 })
		});
		const bad = new Uint8Array(
			await (await fetch(`${gateway.url}/ipfs/${added.cid}?format=raw`)).arrayBuffer()
		);
		expect(await verified(root, bad)).toBe(false);
		const good = new Uint8Array(
			await (await fetch(`${gateway.url}/ipfs/${added.cid}?format=raw`)).arrayBuffer()
		);
		expect(await verified(root, good)).toBe(true);
		expect(
			(
				await fetch(
					`${gateway.url}/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=raw`
				)
			).status
		).toBe(404);
	});
});

describe('GatewayClient', () => {
	test('returns verified blocks, rejects a wrong one with IPFS_BLOCK_INVALID, falls back', async () => {
		const { GatewayClient } = await import('./gateway-client');
		const { AppError } = await import('../errors');
		const added = (await (
			await fetch(`${gateway.url}/__gateway/add?name=b.bin`, {
				method: 'POST',
				body: bytesOf(1000)
			})
		).json()) as { cid: string };
		const cid = CID.parse(added.cid);
		const client = new GatewayClient([gateway.url]);
		expect((await client.block(cid)).byteLength).toBe(1000);

		await fetch(`${gateway.url}/__gateway/faults`, {
			method: 'POST',
			body: JSON.stringify({ wrongBlock: added.cid, times: 1 })
		});
		const error = await client.block(cid).catch((e: unknown) => e);
		expect(AppError.is(error, 'IPFS_BLOCK_INVALID')).toBe(true);

		// a dead gateway first, then a good one
		const fallback = new GatewayClient(['http://127.0.0.1:9', gateway.url]);
		expect((await fallback.block(cid)).byteLength).toBe(1000);

		const missing = await client
			.block(CID.parse('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'))
			.catch((e: unknown) => e);
		expect(AppError.is(missing, 'IPFS_NOT_FOUND')).toBe(true);
		expect(() => new GatewayClient([])).toThrow(/No IPFS gateway/);
	});
});
