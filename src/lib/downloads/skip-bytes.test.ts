import { describe, expect, it } from 'vitest';
import { skipBytes } from './skip-bytes';

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<number[]> {
	const out: number[] = [];
	for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) out.push(...chunk);
	return out;
}

function streamOf(...chunks: number[][]): ReadableStream<Uint8Array> {
	return new ReadableStream({
		start(controller) {
			for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk));
			controller.close();
		}
	});
}

describe('skipBytes', () => {
	it('drops exactly the first bytes, across chunk boundaries', async () => {
		expect(await bytesOf(skipBytes(streamOf([0, 1], [2, 3, 4], [5]), 3))).toEqual([3, 4, 5]);
		expect(await bytesOf(skipBytes(streamOf([0, 1], [2, 3]), 2))).toEqual([2, 3]);
		expect(await bytesOf(skipBytes(streamOf([0, 1, 2]), 0))).toEqual([0, 1, 2]);
		expect(await bytesOf(skipBytes(streamOf([0, 1, 2]), 5))).toEqual([]);
	});
});
