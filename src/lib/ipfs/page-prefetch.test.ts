import { describe, expect, it } from 'vitest';
import { PagePrefetch } from './page-prefetch';

/** A block source whose requests the test answers by hand. */
function manualSource() {
	const asked: string[] = [];
	const pending = new Map<
		string,
		{ resolve: (b: Uint8Array) => void; reject: (e: Error) => void }[]
	>();
	const fetch = (cid: string) =>
		new Promise<Uint8Array>((resolve, reject) => {
			asked.push(cid);
			pending.set(cid, [...(pending.get(cid) ?? []), { resolve, reject }]);
		});
	const answer = async (cid: string, error?: Error) => {
		const waiting = pending.get(cid)?.shift();
		if (!waiting) throw new Error(`${cid} was not asked for`);
		if (error) waiting.reject(error);
		else waiting.resolve(new TextEncoder().encode(cid));
		await new Promise((resolve) => setTimeout(resolve, 0));
	};
	return { fetch, asked, answer };
}

const cids = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('PagePrefetch', () => {
	it('asks for the named leaves in order, `ahead` at a time, the next as soon as one arrives', async () => {
		const source = manualSource();
		const prefetch = new PagePrefetch(source.fetch, 3);
		prefetch.want(cids(6));
		expect(source.asked).toEqual(['c0', 'c1', 'c2']);
		// One arrives before the worker asks for it: the next is asked for at once.
		await source.answer('c1');
		expect(source.asked).toEqual(['c0', 'c1', 'c2', 'c3']);
		// Taking what was asked for does not ask again.
		const taken = prefetch.take('c1');
		expect(new TextDecoder().decode(await taken)).toBe('c1');
		expect(source.asked.filter((cid) => cid === 'c1')).toHaveLength(1);
	});

	it('holds at most twice `ahead` for the worker, and asks again as it takes', async () => {
		const source = manualSource();
		const prefetch = new PagePrefetch(source.fetch, 2);
		prefetch.want(cids(10));
		for (const cid of ['c0', 'c1', 'c2', 'c3']) await source.answer(cid);
		// Four arrived and nobody took them: no more is asked for.
		expect(source.asked).toEqual(['c0', 'c1', 'c2', 'c3']);
		await prefetch.take('c0');
		expect(source.asked).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
	});

	it('a block that was not named, or a repeat already taken, is asked for when taken', async () => {
		const source = manualSource();
		const prefetch = new PagePrefetch(source.fetch, 4);
		prefetch.want(['a', 'b', 'a']);
		expect(source.asked).toEqual(['a', 'b']);
		const first = prefetch.take('a');
		await source.answer('a');
		await first;
		const repeat = prefetch.take('a');
		const other = prefetch.take('z');
		expect(source.asked).toEqual(['a', 'b', 'a', 'z']);
		await source.answer('a');
		await source.answer('z');
		await expect(repeat).resolves.toBeInstanceOf(Uint8Array);
		await expect(other).resolves.toBeInstanceOf(Uint8Array);
	});

	it('a failed request reaches whoever takes it; one never taken is dropped quietly', async () => {
		const source = manualSource();
		const prefetch = new PagePrefetch(source.fetch, 2);
		prefetch.want(['x', 'y']);
		await source.answer('y', new Error('stalled'));
		await expect(prefetch.take('y')).rejects.toThrow('stalled');
		await source.answer('x', new Error('gone'));
		prefetch.stop();
	});

	it('after stop it asks for nothing more', async () => {
		const source = manualSource();
		const prefetch = new PagePrefetch(source.fetch, 1);
		prefetch.want(cids(3));
		prefetch.stop();
		await source.answer('c0');
		prefetch.want(cids(3, 'd'));
		expect(source.asked).toEqual(['c0']);
	});
});
