import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadAhead, WINDOW_TTL_MS } from './read-ahead';

/** A file of `size` bytes (byte i = i mod 251) that counts the reads made of it. */
function countedFile(size: number) {
	const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251);
	const blob = new Blob([bytes]);
	const reads: [number, number][] = [];
	const file = {
		size,
		slice(start: number, end: number) {
			reads.push([start, end]);
			return blob.slice(start, end);
		}
	} as unknown as Blob;
	return { file, reads, bytes };
}

afterEach(() => {
	vi.useRealTimers();
});

describe('ReadAhead', () => {
	it('serves the reads that follow from one window, each a copy that owns its buffer', async () => {
		const { file, reads, bytes } = countedFile(100);
		const ahead = new ReadAhead(40, 2);
		const all = await Promise.all([0, 10, 20, 30].map((at) => ahead.read('a', file, at, 10)));
		expect(reads).toEqual([[0, 40]]);
		all.forEach((block, index) => {
			expect([...block]).toEqual([...bytes.subarray(index * 10, index * 10 + 10)]);
			expect(block.buffer.byteLength).toBe(10);
		});
		// Past the window: a new one starts at the read, and stops at the end of the file.
		expect([...(await ahead.read('a', file, 85, 15))]).toEqual([...bytes.subarray(85, 100)]);
		expect(reads).toEqual([
			[0, 40],
			[85, 100]
		]);
	});

	it('gives a view into the window when asked: no copy, the same bytes', async () => {
		const { file, reads, bytes } = countedFile(100);
		const ahead = new ReadAhead(40, 2);
		const [first, second] = await Promise.all(
			[0, 10].map((at) => ahead.read('a', file, at, 10, { view: true }))
		);
		expect(reads).toEqual([[0, 40]]);
		expect([...second!]).toEqual([...bytes.subarray(10, 20)]);
		expect(second!.byteOffset).toBe(10);
		expect(second!.buffer).toBe(first!.buffer);
		expect(first!.buffer.byteLength).toBe(40);
	});

	it('keeps only the newest windows, and reads a file afresh once told it changed or after a while', async () => {
		vi.useFakeTimers({ toFake: ['performance'] });
		const { file, reads } = countedFile(100);
		const ahead = new ReadAhead(10, 2);
		await ahead.read('a', file, 0, 5);
		await ahead.read('a', file, 10, 5);
		await ahead.read('a', file, 20, 5);
		await ahead.read('a', file, 0, 5); // the oldest window was dropped
		expect(reads).toHaveLength(4);
		ahead.forget('a');
		await ahead.read('a', file, 0, 5);
		expect(reads).toHaveLength(5);
		vi.advanceTimersByTime(WINDOW_TTL_MS);
		await ahead.read('a', file, 0, 5);
		expect(reads).toHaveLength(6);
		// Another path never shares a window.
		await ahead.read('b', file, 0, 5);
		expect(reads).toHaveLength(7);
	});

	it('a failed read is not kept: the next read tries the file again', async () => {
		const { file, reads } = countedFile(100);
		const failing = {
			size: 100,
			slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) })
		} as unknown as Blob;
		const ahead = new ReadAhead(40, 2);
		await expect(ahead.read('a', failing, 0, 10)).rejects.toThrow('NotReadableError');
		await ahead.read('a', file, 0, 10);
		expect(reads).toEqual([[0, 40]]);
	});
});
