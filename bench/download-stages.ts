/**
 * The stages of the download pipeline measured on their own (`npm run bench:download`): SHA-256,
 * OPFS segment writes as the engine writes them, each over the network or alone, and WebCrypto's
 * one-buffer digest for comparison.
 */
import { createSHA256 } from 'hash-wasm';
import { SEGMENTS_BEHIND } from '../src/lib/downloads/engine';
import { segmentBytesFor } from '../src/lib/downloads/jobs';
import { DEFAULT_DOWNLOAD_SETTINGS } from '../src/lib/downloads/types';
import { opfsRoot, SegmentStore, type SegmentWriter } from '../src/lib/storage/opfs';

const MIB = 1024 * 1024;

/**
 * WebCrypto's SHA-256 over one in-memory buffer (BoringSSL, with the CPU's SHA instructions where
 * present): the speed an incremental hash could have if the browser offered one. It does not:
 * `digest` takes the whole input at once, so the engine cannot use it on multi-GB files.
 */
export async function webCryptoSha256(): Promise<number> {
	const bytes = new Uint8Array(64 * MIB);
	for (let at = 0; at < bytes.byteLength; at += 65536)
		crypto.getRandomValues(bytes.subarray(at, at + 65536));
	await crypto.subtle.digest('SHA-256', bytes);
	let best = Infinity;
	for (let i = 0; i < 3; i++) {
		const started = performance.now();
		await crypto.subtle.digest('SHA-256', bytes);
		best = Math.min(best, performance.now() - started);
	}
	return 64 / (best / 1000);
}

/**
 * Writes a stream of bytes into segment files as the engine does (`SegmentWriter`, segments of
 * the engine's size, up to `SEGMENTS_BEHIND` closing behind the one being written).
 */
export class SegmentedWrites {
	readonly #store: SegmentStore;
	readonly #segmentBytes: number;
	readonly #behind: Promise<void>[] = [];
	#writer: SegmentWriter | null = null;
	#index = 0;

	constructor(store: SegmentStore, segmentBytes: number) {
		this.#store = store;
		this.#segmentBytes = segmentBytes;
	}

	async write(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
		let chunk = bytes;
		while (chunk.byteLength > 0) {
			const writer = (this.#writer ??= await this.#store.openSegment(this.#index++));
			const part = chunk.subarray(0, this.#segmentBytes - writer.bytes);
			await writer.write(part);
			chunk = chunk.subarray(part.byteLength);
			if (writer.bytes === this.#segmentBytes) {
				this.#behind.push(writer.commit());
				this.#writer = null;
				while (this.#behind.length > SEGMENTS_BEHIND) await this.#behind.shift();
			}
		}
	}

	/** Commits the last segment and waits for every commit. */
	async finish(): Promise<void> {
		if (this.#writer) this.#behind.push(this.#writer.commit());
		this.#writer = null;
		await Promise.all(this.#behind.splice(0));
	}
}

/** A fresh hasher and a fresh segment file (under `folder`) to write `size` bytes into. */
async function freshTarget(size: number, folder: string, file: string) {
	const hasher = await createSHA256();
	hasher.init();
	const root = await opfsRoot();
	await root.removeEntry('models', { recursive: true }).catch(() => {});
	const store = new SegmentStore(root, folder, 'main', file);
	const segmentBytes = segmentBytesFor(size, DEFAULT_DOWNLOAD_SETTINGS.segmentBytes);
	return { hasher, store, writes: new SegmentedWrites(store, segmentBytes) };
}

/**
 * Part of the pipeline over the network (the same streamed fetch as the engine): SHA-256 only,
 * or OPFS segment writes only (`SegmentedWrites`, as the engine writes them).
 */
export async function partial(
	url: string,
	size: number,
	hash: boolean,
	write: boolean
): Promise<number> {
	const { hasher, store, writes } = await freshTarget(size, 'bench/partial', 'partial.bin');
	const started = performance.now();
	const reader = (await fetch(url, { cache: 'no-store', credentials: 'omit' })).body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		const chunk = value as Uint8Array<ArrayBuffer>;
		if (hash) hasher.update(chunk);
		if (write) await writes.write(chunk);
	}
	await writes.finish();
	hasher.digest('hex');
	const seconds = (performance.now() - started) / 1000;
	await store.remove();
	return seconds;
}

/**
 * The two stages on their own, over the same bytes (fetched once per 8 MiB window, so memory stays
 * flat), only the stage timed: SHA-256 of every byte, and OPFS writes of every byte as the engine
 * writes them. A serial loop is bounded by 1 / (1/hash + 1/write); an overlapped one by the slower
 * stage, and by the CPU (two cores here, shared with the network stack and the server).
 */
export async function stages(url: string, size: number): Promise<{ hash: number; write: number }> {
	const window = 8 * MIB;
	const { hasher, store, writes } = await freshTarget(size, 'bench/stages', 'write-only.bin');
	let hashMs = 0;
	let writeMs = 0;
	for (let offset = 0; offset < size; offset += window) {
		const end = Math.min(size, offset + window) - 1;
		const response = await fetch(url, {
			cache: 'no-store',
			credentials: 'omit',
			headers: { Range: `bytes=${offset}-${end}` }
		});
		const bytes = new Uint8Array(await response.arrayBuffer());
		let started = performance.now();
		for (let at = 0; at < bytes.byteLength; at += 256 * 1024)
			hasher.update(bytes.subarray(at, at + 256 * 1024));
		hashMs += performance.now() - started;
		started = performance.now();
		await writes.write(bytes);
		if (offset + window >= size) await writes.finish();
		writeMs += performance.now() - started;
	}
	hasher.digest('hex');
	await store.remove();
	return { hash: size / MIB / (hashMs / 1000), write: size / MIB / (writeMs / 1000) };
}
