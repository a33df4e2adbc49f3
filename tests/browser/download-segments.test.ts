import { createSHA256 } from 'hash-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentStore, opfsRoot, partsPath } from '../../src/lib/storage/opfs';
import { storeModelFile } from '../../src/lib/storage/models';

const REPO = 'test-owner/segments-GGUF';
const REV = 'b'.repeat(40);

function bytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(length);
	let x = seed;
	for (let i = 0; i < length; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

async function sha256Hex(data: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function store(path = 'model-Q4_K_M.gguf') {
	return new SegmentStore(await opfsRoot(), REPO, REV, path);
}

afterEach(async () => {
	const root = await opfsRoot();
	await root.removeEntry('models', { recursive: true }).catch(() => {});
});

describe('OPFS segment store', () => {
	it('lays files out under models/<repo>/<revision>/<file>.parts', () => {
		expect(partsPath(REPO, REV, 'dir/x.gguf')).toEqual([
			'models',
			'test-owner',
			'segments-GGUF',
			REV,
			'dir',
			'x.gguf.parts'
		]);
		expect(() => partsPath(REPO, REV, '../x')).toThrow();
	});

	it('joins committed segments into one File without copying, and drops uncommitted ones', async () => {
		const data = bytes(300_000);
		const s = await store();
		for (const [index, [from, to]] of [
			[0, 100_000],
			[100_000, 200_000],
			[200_000, 300_000]
		].entries()) {
			const writer = await s.openSegment(index);
			await writer.write(data.slice(from, to - 50_000));
			await writer.write(data.slice(to - 50_000, to));
			await writer.commit();
		}
		// A segment that is written but never committed leaves nothing readable.
		const torn = await s.openSegment(3);
		await torn.write(bytes(10, 9));
		await torn.abort();
		await s.truncate(3);

		expect(await s.segmentSizes()).toEqual([100_000, 100_000, 100_000]);
		const file = await s.open(300_000, 'dir/model-Q4_K_M.gguf');
		expect(file.name).toBe('model-Q4_K_M.gguf');
		expect(file.size).toBe(300_000);
		expect(await sha256Hex(new Uint8Array(await file.arrayBuffer()))).toBe(await sha256Hex(data));
		// Slices read across segment boundaries.
		const slice = new Uint8Array(await file.slice(99_990, 100_010).arrayBuffer());
		expect([...slice]).toEqual([...data.slice(99_990, 100_010)]);
	});

	it('refuses to open an incomplete file with a clear error', async () => {
		const s = await store();
		const writer = await s.openSegment(0);
		await writer.write(bytes(10));
		await writer.commit();
		await expect(s.open(20, 'x.gguf')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
	});

	it('removes a file and the folders it leaves empty, but not its neighbours', async () => {
		const a = await store('a.gguf');
		const b = await store('b.gguf');
		for (const s of [a, b]) {
			const w = await s.openSegment(0);
			await w.write(bytes(5));
			await w.commit();
		}
		await a.remove();
		expect(await a.segmentSizes()).toEqual([]);
		expect(await b.segmentSizes()).toEqual([5]);
		await b.remove();
		const root = await opfsRoot();
		const models = await root.getDirectoryHandle('models');
		await expect(models.getDirectoryHandle('test-owner')).rejects.toThrow();
	});

	it('stores a stream in the same layout (IPFS path)', async () => {
		const data = bytes(25_000, 3);
		const written = await storeModelFile(
			{ repoId: REPO, revision: REV, path: 'y.gguf' },
			new Blob([data]),
			10_000
		);
		expect(written).toBe(25_000);
		const s = await store('y.gguf');
		expect(await s.segmentSizes()).toEqual([10_000, 10_000, 5_000]);
	});
});

describe('resumable SHA-256', () => {
	it('a saved hash state resumes to the same digest as one pass', async () => {
		const data = bytes(5_000_000, 7);
		const first = await createSHA256();
		first.init();
		first.update(data.subarray(0, 2_345_678));
		const state = first.save();
		// A new hasher (as after a service worker restart) continues from the saved state.
		const resumed = await createSHA256();
		resumed.load(state);
		resumed.update(data.subarray(2_345_678));
		expect(resumed.digest('hex')).toBe(await sha256Hex(data));
		expect(state.byteLength).toBeLessThan(1024);
	});
});
