import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import {
	ServePolicy,
	restrictServing,
	wantedBlocks,
	type PeerLike,
	type WantMessage
} from './serving';
import { limitUploads } from './upload-limit';

/** Records what bitswap's serving side was handed (what it would answer). */
class WantListsSpy {
	served: { peer: string; message: WantMessage }[] = [];
	receiveMessage(peer: PeerLike, message: WantMessage): void {
		this.served.push({ peer: peer.toString(), message });
	}
}

const peer = (id: string): PeerLike => ({ toString: () => id });
const wants = (...cids: string[]): WantMessage => ({
	wantlist: { entries: cids.map((cid) => ({ cid })), full: false },
	blocks: [{ data: new Uint8Array(4) }]
});

describe('ServePolicy', () => {
	it('serves nobody but paired peers by default, and everyone when serving publicly', () => {
		let open = false;
		const policy = new ServePolicy(() => open);
		expect(policy.mayServe('stranger')).toBe(false);
		policy.pair('phone');
		expect(policy.mayServe('phone')).toBe(true);
		expect(policy.mayServe('stranger')).toBe(false);
		open = true;
		expect(policy.mayServe('stranger')).toBe(true);
	});

	it('serves devices paired before from the start, tells how a new one was paired, and forgets', () => {
		const policy = new ServePolicy(() => false, ['laptop']);
		const paired: unknown[] = [];
		policy.onPaired((peer, info) => paired.push({ peer, ...info }));
		expect(policy.mayServe('laptop')).toBe(true);
		policy.pair('laptop', { how: 'sent', model: 'a/b' });
		policy.pair('phone', { how: 'sent', model: 'a/b' });
		policy.pair('phone', { how: 'received' });
		policy.pair('node');
		// Known peers are not reported again; the default is a link opened here.
		expect(paired).toEqual([
			{ peer: 'phone', how: 'sent', model: 'a/b' },
			{ peer: 'node', how: 'received' }
		]);
		policy.unpair('laptop');
		expect(policy.mayServe('laptop')).toBe(false);
		expect(policy.mayServe('phone')).toBe(true);
	});
});

describe('restrictServing with a forgotten device', () => {
	it('holds the wants of a device the user forgot, as of any unpaired peer', () => {
		const spy = new WantListsSpy();
		const policy = new ServePolicy(() => false, ['phone']);
		const guard = restrictServing(spy, policy);
		spy.receiveMessage(peer('phone'), wants('a'));
		policy.unpair('phone');
		spy.receiveMessage(peer('phone'), wants('b'));
		expect(spy.served.map((s) => s.message.wantlist?.entries)).toEqual([[{ cid: 'a' }]]);
		expect(guard.held()).toEqual(['phone']);
	});
});

describe('restrictServing', () => {
	it('hands bitswap only the wants of paired peers; an unpaired peer gets nothing', () => {
		const spy = new WantListsSpy();
		const policy = new ServePolicy(() => false);
		restrictServing(spy, policy);
		policy.pair('phone');
		spy.receiveMessage(peer('phone'), wants('a'));
		spy.receiveMessage(peer('stranger'), wants('b'));
		expect(spy.served.map((s) => s.peer)).toEqual(['phone']);
	});

	it('answers a peer paired later from its held wants (without the blocks it sent)', () => {
		const spy = new WantListsSpy();
		const policy = new ServePolicy(() => false);
		const guard = restrictServing(spy, policy);
		spy.receiveMessage(peer('node'), wants('a'));
		spy.receiveMessage(peer('node'), wants('b'));
		expect(guard.held()).toEqual(['node']);
		policy.pair('node');
		expect(spy.served.map((s) => s.message.wantlist?.entries)).toEqual([
			[{ cid: 'a' }],
			[{ cid: 'b' }]
		]);
		expect(spy.served.every((s) => s.message.blocks?.length === 0)).toBe(true);
		expect(guard.held()).toEqual([]);
	});

	it('forgets a peer that went away, and bounds what it holds', () => {
		const spy = new WantListsSpy();
		const policy = new ServePolicy(() => false);
		const guard = restrictServing(spy, policy);
		spy.receiveMessage(peer('gone'), wants('a'));
		guard.forget('gone');
		policy.pair('gone');
		expect(spy.served).toEqual([]);

		for (let i = 0; i < 100; i++) spy.receiveMessage(peer(`p${i}`), wants('a'));
		expect(guard.held()).toHaveLength(64);
		expect(guard.held()[0]).toBe('p36');
		for (let i = 0; i < 40; i++) spy.receiveMessage(peer('p99'), wants(`c${i}`));
		policy.pair('p99');
		expect(spy.served).toHaveLength(16);
		expect(spy.served.at(-1)?.message.wantlist?.entries).toEqual([{ cid: 'c39' }]);
	});

	it('serves everyone when serving publicly, and again as bitswap does once stopped', () => {
		const spy = new WantListsSpy();
		let open = true;
		const guard = restrictServing(spy, new ServePolicy(() => open));
		spy.receiveMessage(peer('stranger'), wants('a'));
		expect(spy.served).toHaveLength(1);
		open = false;
		spy.receiveMessage(peer('stranger'), wants('b'));
		expect(spy.served).toHaveLength(1);
		guard.stop();
		spy.receiveMessage(peer('stranger'), wants('c'));
		expect(spy.served).toHaveLength(2);
	});

	it('over the upload limit, as the peer has them: a held message is never read ahead', () => {
		const spy = new WantListsSpy();
		const network = { sendMessage: async () => {} };
		const policy = new ServePolicy(() => false);
		const readAhead: unknown[] = [];
		limitUploads(spy, network, () => null, {
			onRelease: (message) => readAhead.push(message.wantlist?.entries)
		});
		restrictServing(spy, policy);
		spy.receiveMessage(peer('stranger'), wants('held'));
		expect(readAhead).toEqual([]);
		expect(spy.served).toEqual([]);
		policy.pair('stranger');
		spy.receiveMessage(peer('stranger'), wants('now'));
		expect(readAhead).toEqual([[{ cid: 'held' }], [{ cid: 'now' }]]);
		expect(spy.served).toHaveLength(2);
	});
});

describe('wantedBlocks', () => {
	it('lists the blocks a message asks for: not the "have"s, not the cancels, not what is no CID', async () => {
		const [a, b, c, d] = await Promise.all(
			[1, 2, 3, 4].map(async (n) =>
				CID.create(1, raw.code, await sha256.digest(new Uint8Array([n])))
			)
		);
		const message: WantMessage = {
			wantlist: {
				entries: [
					{ cid: a!.bytes, wantType: 'WantBlock' },
					{ cid: b!.bytes, wantType: 'WantHave' },
					{ cid: c!.bytes, wantType: 'WantBlock', cancel: true },
					{ cid: new Uint8Array([0xff, 0xff]), wantType: 'WantBlock' },
					{ cid: d!.bytes }
				]
			}
		};
		expect(wantedBlocks(message).map(String)).toEqual([a!.toString(), d!.toString()]);
		expect(wantedBlocks({})).toEqual([]);
	});
});
