import { describe, expect, it } from 'vitest';
import { AutoHandover } from './auto-handover';
import type { BackgroundStandby, DownloadJobSnapshot } from './types';

/** An in-memory BroadcastChannel shared by the pages of one test. */
function channels() {
	const members = new Set<{ onmessage: ((event: MessageEvent) => void) | null }>();
	return () => {
		const channel = {
			onmessage: null as ((event: MessageEvent) => void) | null,
			postMessage(data: unknown) {
				for (const other of members)
					if (other !== channel) other.onmessage?.({ data } as MessageEvent);
			},
			close() {
				members.delete(channel);
			}
		};
		members.add(channel);
		return channel as unknown as BroadcastChannel;
	};
}

function page(
	shared: () => BroadcastChannel,
	standby: BackgroundStandby | null,
	ask: () => Promise<BackgroundStandby | null> = async () => standby,
	refuse?: Error
) {
	const listeners = new Map<string, (event: Event) => void>();
	const fetches: { id: string; requests: Request[]; options: unknown }[] = [];
	const posted: unknown[] = [];
	const registration = {
		active: { postMessage: (message: unknown) => posted.push(message) },
		backgroundFetch: {
			fetch: async (id: string, requests: Request[], options: unknown) => {
				fetches.push({ id, requests, options });
				if (refuse) throw refuse;
				return {};
			}
		}
	} as unknown as ServiceWorkerRegistration;
	const auto = new AutoHandover({
		registration: Promise.resolve(registration),
		standby: ask,
		target: {
			addEventListener: (type: string, listener: (event: Event) => void) =>
				listeners.set(type, listener)
		} as unknown as Window,
		channel: shared
	});
	const hide = () => listeners.get('pagehide')!({ persisted: false } as unknown as Event);
	return { auto, fetches, posted, hide };
}

const job = (committed: number[]): DownloadJobSnapshot => ({
	id: 'o/r@c:q',
	repoId: 'o/r',
	revision: 'c',
	variantKey: 'q',
	variantLabel: 'Q8_0',
	state: 'downloading',
	totalBytes: 300,
	receivedBytes: committed.reduce((sum, bytes) => sum + bytes, 0),
	shards: committed.map((bytes, i) => ({
		path: `f${i}.gguf`,
		size: 100,
		received: bytes,
		committed: bytes,
		state: bytes === 100 ? 'done' : 'downloading'
	})),
	error: null,
	notice: null,
	waiting: null,
	updatedAt: 0
});

const standby: BackgroundStandby = {
	fetchId: 'citrate-download:o/r@c:q',
	title: 'o/r Q8_0',
	files: [0, 1, 2].map((i) => ({ path: `f${i}.gguf`, url: `https://cdn.test/f${i}`, size: 100 }))
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AutoHandover', () => {
	it('the last page to go asks Background Fetch for each unfinished file from its committed byte, and tells the worker', async () => {
		const one = page(channels(), standby);
		await tick();
		one.auto.observe([job([40, 100, 0])]);
		await tick();
		// Later progress: the latest committed bytes count.
		one.auto.observe([job([64, 100, 0])]);
		const hidden = performance.now();
		one.hide();
		// The closing page stays a moment, so the browser takes the request before it is gone.
		expect(performance.now() - hidden).toBeGreaterThanOrEqual(100);
		expect(one.fetches).toHaveLength(1);
		const [fetch] = one.fetches;
		expect(fetch!.id).toBe(standby.fetchId);
		expect(fetch!.requests.map((r) => [r.url, r.headers.get('range')])).toEqual([
			['https://cdn.test/f0', 'bytes=64-'],
			['https://cdn.test/f2', null]
		]);
		expect(fetch!.requests.every((r) => r.headers.get('authorization') === null)).toBe(true);
		expect(fetch!.options).toEqual({ title: 'o/r Q8_0', downloadTotal: 36 + 100 });
		expect(one.posted).toEqual([
			{
				tag: 'citrate.downloads',
				command: {
					op: 'handedOver',
					id: 'o/r@c:q',
					fetchId: standby.fetchId,
					files: [
						{ path: 'f0.gguf', url: 'https://cdn.test/f0', start: 64 },
						{ path: 'f2.gguf', url: 'https://cdn.test/f2', start: 0 }
					]
				}
			}
		]);
	});

	it('a fetch the browser refuses while the page still lives gives the job back with the reason', async () => {
		const one = page(
			channels(),
			standby,
			undefined,
			new TypeError('There already is a registration for the given id.')
		);
		await tick();
		one.auto.observe([job([40, 100, 0])]);
		await tick();
		one.hide();
		expect(one.posted).toHaveLength(1);
		await tick();
		expect(one.posted.map((message) => (message as { command: { op: string } }).command)).toEqual([
			expect.objectContaining({ op: 'handedOver' }),
			{
				op: 'backgroundFailed',
				id: 'o/r@c:q',
				message: 'There already is a registration for the given id.'
			}
		]);
	});

	it('hands nothing over while another Citrate page is open, nor a job that is not running', async () => {
		const shared = channels();
		const first = page(shared, standby);
		const second = page(shared, standby);
		await tick();
		expect(first.auto.otherPages).toBe(1);
		expect(second.auto.otherPages).toBe(1);
		first.auto.observe([job([40, 100, 0])]);
		second.auto.observe([job([40, 100, 0])]);
		await tick();
		first.hide();
		expect(first.fetches).toEqual([]);
		// The second page is now the last one.
		expect(second.auto.otherPages).toBe(0);
		second.auto.observe([{ ...job([40, 100, 0]), state: 'paused' }]);
		second.hide();
		expect(second.fetches).toEqual([]);
		expect(second.posted).toEqual([]);
	});

	it('asks the worker to resolve only while bytes flow, and less often after a failure (each ask is a request to the Hub)', async () => {
		let asks = 0;
		const one = page(channels(), standby, async () => {
			asks++;
			throw new Error('the Hub answered 503');
		});
		await tick();
		// Nothing received yet, or the engine waiting for a busy Hub: no resolve of our own.
		one.auto.observe([{ ...job([0, 0, 0]) }]);
		one.auto.observe([
			{ ...job([40, 0, 0]), waiting: { reason: 'busy', retryAt: Date.now() + 2000 } }
		]);
		await tick();
		expect(asks).toBe(0);
		// Flowing: one ask; it fails; the snapshots that follow do not ask again at once.
		one.auto.observe([job([40, 0, 0])]);
		await tick();
		one.auto.observe([job([48, 0, 0])]);
		one.auto.observe([job([56, 0, 0])]);
		await tick();
		expect(asks).toBe(1);
		// Without a standby the last page hands nothing over (the engine keeps the job).
		one.hide();
		expect(one.fetches).toEqual([]);
	});
});
