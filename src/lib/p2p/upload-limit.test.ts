import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BitswapNetwork, PeerLike, ServingWantLists, WantMessage } from './serving';
import { ByteBucket, limitUploads } from './upload-limit';

const MIB = 1024 * 1024;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ByteBucket', () => {
	it('holds one second of the rate, goes into debt and says how long the debt lasts', () => {
		const bucket = new ByteBucket(() => MIB, Date.now);
		expect(bucket.waitMs()).toBe(0);
		bucket.charge(MIB - 1);
		expect(bucket.waitMs()).toBe(0);
		bucket.charge(MIB / 2 + 1);
		expect(bucket.waitMs()).toBe(500);
		vi.advanceTimersByTime(501);
		expect(bucket.waitMs()).toBe(0);
		// Idle time fills it up to one second's worth, not more.
		vi.advanceTimersByTime(10_000);
		bucket.charge(MIB + 1);
		expect(bucket.waitMs()).toBe(1);
	});

	it('with no limit never waits', () => {
		const bucket = new ByteBucket(() => null, Date.now);
		bucket.charge(100 * MIB);
		expect(bucket.waitMs()).toBe(0);
	});
});

const peer = (id: string): PeerLike => ({ toString: () => id });
const cid = (n: number) => new Uint8Array([1, 85, 18, 32, n]);
const want = (n: number, extra: object = {}) => ({ cid: cid(n), wantType: 'WantBlock', ...extra });
/** Peer `id` asks for the blocks numbered `blocks`, in one message. */
const ask = (wantLists: ServingWantLists, id: string, ...blocks: number[]) =>
	wantLists.receiveMessage(peer(id), { wantlist: { entries: blocks.map((n) => want(n)) } });

function harness(limit: () => number | null) {
	const delivered: { peer: string; entries: { cid: Uint8Array }[]; full?: boolean }[] = [];
	const wantLists: ServingWantLists = {
		receiveMessage(from: PeerLike, message: WantMessage) {
			delivered.push({
				peer: from.toString(),
				entries: message.wantlist?.entries as { cid: Uint8Array }[],
				...(message.wantlist?.full ? { full: true } : {})
			});
		}
	};
	const sent: number[] = [];
	const network: BitswapNetwork = {
		async sendMessage(_peer, message) {
			sent.push([...(message.blocks?.values() ?? [])].length);
		}
	};
	const original = { receive: wantLists.receiveMessage, send: network.sendMessage };
	const released: WantMessage[] = [];
	const limiter = limitUploads(wantLists, network, limit, {
		onRelease: (message) => released.push(message),
		now: Date.now
	});
	const sendBlocks = (sizes: number[]) =>
		network.sendMessage(peer('x'), {
			blocks: new Map(sizes.map((size, i) => [String(i), { data: new Uint8Array(size) }]))
		});
	return { wantLists, network, original, delivered, released, sent, limiter, sendBlocks };
}

describe('limitUploads', () => {
	it('with no limit hands every message on at once, as it came', () => {
		const { wantLists, delivered, released } = harness(() => null);
		const message = { wantlist: { entries: [want(1), want(2)], full: true } };
		wantLists.receiveMessage(peer('a'), message);
		expect(delivered).toEqual([{ peer: 'a', entries: message.wantlist.entries, full: true }]);
		expect(released).toEqual([message]);
	});

	it('releases wants for blocks at the limit, one block at a time, the peers in turn', () => {
		const { wantLists, delivered, limiter } = harness(() => MIB);
		ask(wantLists, 'a', 1, 2, 3, 4, 5, 6);
		ask(wantLists, 'b', 7, 8);
		// One second's worth at once (4 leaves of 256 KiB), then one every 250 ms.
		expect(delivered.map((d) => d.entries.map((e) => e.cid[4]))).toEqual([[1], [2], [3], [4]]);
		expect(limiter.queued()).toBe(4);
		vi.advanceTimersByTime(250);
		expect(delivered.at(-1)).toEqual({ peer: 'a', entries: [want(5)] });
		vi.advanceTimersByTime(250);
		expect(delivered.at(-1)).toEqual({ peer: 'b', entries: [want(7)] });
		vi.advanceTimersByTime(500);
		expect(delivered.map((d) => d.entries[0]!.cid[4])).toEqual([1, 2, 3, 4, 5, 7, 6, 8]);
		expect(limiter.queued()).toBe(0);
	});

	it('passes cancels and "have" questions at once; a cancel drops the want still waiting', () => {
		const { wantLists, delivered, limiter } = harness(() => MIB);
		ask(wantLists, 'a', 1, 2, 3, 4, 5, 6);
		delivered.length = 0;
		wantLists.receiveMessage(peer('a'), {
			wantlist: { entries: [want(6, { cancel: true }), want(9, { wantType: 'WantHave' })] }
		});
		expect(delivered).toEqual([
			{ peer: 'a', entries: [want(6, { cancel: true }), want(9, { wantType: 'WantHave' })] }
		]);
		expect(limiter.queued()).toBe(1);
		vi.advanceTimersByTime(1000);
		expect(delivered.slice(1).map((d) => d.entries[0]!.cid[4])).toEqual([5]);
	});

	it('a full want list replaces what waits for that peer', () => {
		const { wantLists, delivered, limiter } = harness(() => MIB);
		ask(wantLists, 'a', 1, 2, 3, 4, 5, 6);
		delivered.length = 0;
		wantLists.receiveMessage(peer('a'), { wantlist: { entries: [want(8)], full: true } });
		expect(delivered).toEqual([{ peer: 'a', entries: [], full: true }]);
		expect(limiter.queued()).toBe(1);
		vi.advanceTimersByTime(1000);
		expect(delivered.slice(1).map((d) => d.entries[0]!.cid[4])).toEqual([8]);
	});

	it('counts the bytes bitswap really sends: bigger blocks slow the next releases', () => {
		const { wantLists, delivered, sendBlocks } = harness(() => MIB);
		ask(wantLists, 'a', 1, 2, 3, 4, 5);
		expect(delivered).toHaveLength(4);
		// The four released wants were 1 MiB blocks, not leaves: 3 MiB more than counted.
		void sendBlocks([MIB, MIB, MIB, MIB]);
		vi.advanceTimersByTime(250);
		expect(delivered).toHaveLength(4);
		vi.advanceTimersByTime(3000);
		expect(delivered).toHaveLength(5);
	});

	it('a new limit applies at once; turning it off releases what waits', () => {
		let limit: number | null = MIB;
		const { wantLists, delivered, limiter } = harness(() => limit);
		ask(wantLists, 'a', 1, 2, 3, 4, 5, 6, 7, 8);
		expect(delivered).toHaveLength(4);
		limit = null;
		wantLists.receiveMessage(peer('a'), { wantlist: { entries: [want(9)] } });
		expect(delivered).toHaveLength(9);
		expect(limiter.queued()).toBe(0);
	});

	it('keeps each block once, and at most maxQueuedPerPeer wants of a peer waiting', () => {
		const delivered: number[] = [];
		const wantLists: ServingWantLists = {
			receiveMessage(_peer, message) {
				for (const entry of message.wantlist?.entries as { cid: Uint8Array }[])
					delivered.push(entry.cid[4]!);
			}
		};
		const limiter = limitUploads(wantLists, { sendMessage: async () => {} }, () => MIB, {
			maxQueuedPerPeer: 5,
			now: Date.now
		});
		// 2 asked twice is kept once; 6 and 7 are over the bound. A second's worth goes at once.
		ask(wantLists, 'a', 1, 2, 2, 3, 4, 5, 6, 7);
		expect(delivered).toEqual([1, 2, 3, 4]);
		expect(limiter.queued()).toBe(1);
		wantLists.receiveMessage(peer('a'), { wantlist: { entries: [want(5), want(8)] } });
		expect(limiter.queued()).toBe(2);
		vi.advanceTimersByTime(10_000);
		expect(delivered).toEqual([1, 2, 3, 4, 5, 8]);
	});

	it('forgets a peer that went away, and stop puts bitswap back as it was', () => {
		const { wantLists, network, original, limiter } = harness(() => MIB);
		expect(wantLists.receiveMessage).not.toBe(original.receive);
		ask(wantLists, 'a', 1, 2, 3, 4, 5, 6);
		limiter.forget('a');
		expect(limiter.queued()).toBe(0);
		limiter.stop();
		expect(wantLists.receiveMessage).toBe(original.receive);
		expect(network.sendMessage).toBe(original.send);
	});
});
