import { afterEach, describe, expect, it } from 'vitest';
import type { LocalModel } from '$lib/downloads';
import { forgetPinningService, type PinStatus } from '$lib/pinning';
import { RemotePinsStore } from './remote-pins.svelte';

const ID = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf';
const WS = `/ip4/127.0.0.1/tcp/4003/ws/p2p/${ID}`;
const TCP = `/ip4/127.0.0.1/tcp/4001/p2p/${ID}`;
const CID_TEXT = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
const ENDPOINT = 'http://127.0.0.1:9/api';

/** A pinning service in memory: pins become pinned on the second status read. */
function fakeService() {
	const requests: { method: string; url: string; body?: unknown }[] = [];
	let reads = 0;
	const status = (s: PinStatus['status']): PinStatus => ({
		requestid: 'r1',
		status: s,
		created: new Date(0).toISOString(),
		pin: { cid: CID_TEXT },
		delegates: [TCP, WS]
	});
	const fetch: typeof globalThis.fetch = async (input, init) => {
		const url = new URL(String(input));
		const body = init?.body ? JSON.parse(String(init.body)) : undefined;
		requests.push({ method: init?.method ?? 'GET', url: url.pathname + url.search, body });
		const json = (v: unknown) => new Response(JSON.stringify(v), { status: 200 });
		if (init?.method === 'POST') return json(status('queued'));
		if (url.pathname.endsWith('/pins/r1')) return json(status(++reads > 1 ? 'pinned' : 'pinning'));
		const results = url.searchParams.get('cid') === CID_TEXT ? [status('pinned')] : [];
		return json({ count: results.length, results });
	};
	return { fetch, requests };
}

const model = { id: 'm1', repoId: 'o/r', variant: 'Q8_0', cid: CID_TEXT } as LocalModel;

function store(allowed: boolean, onPoll: () => void = () => undefined) {
	const service = fakeService();
	const connects: string[][] = [];
	const pins = new RemotePinsStore({
		fetch: service.fetch,
		origins: async () => ['/ip4/192.0.2.1/tcp/1/ws/p2p-circuit/webrtc'],
		connect: async (delegates) => {
			connects.push(delegates);
		},
		allowed: () => allowed,
		follow: {
			sleep: async () => onPoll(),
			pollBackoff: { initialMs: 0, maxMs: 0, factor: 1 }
		}
	});
	return { pins, service, connects };
}

afterEach(async () => {
	await forgetPinningService();
});

describe('RemotePinsStore and the node that fetches the pin', () => {
	it('sends this device’s addresses as origins and connects to the WebSocket delegates it may reach', async () => {
		const { pins, service, connects } = store(true);
		expect(await pins.saveService(ENDPOINT, 'token-0123456789')).toBe(true);
		await pins.pin(model);
		const post = service.requests.find((r) => r.method === 'POST');
		expect((post?.body as { origins: string[] }).origins).toEqual([
			'/ip4/192.0.2.1/tcp/1/ws/p2p-circuit/webrtc'
		]);
		expect(connects).toEqual([[WS]]);
		expect(pins.view('m1')).toMatchObject({ status: 'pinned', busy: false });
		expect(pins.view('m1')?.approve).toBeUndefined();
	});

	it('asks to allow the node’s origin instead of dialing it when the page may not connect there', async () => {
		const seen: (string | undefined)[] = [];
		const { pins, connects } = store(false, () => seen.push(pins.view('m1')?.approve));
		await pins.saveService(ENDPOINT, 'token-0123456789');
		await pins.pin(model);
		expect(seen.length).toBeGreaterThan(0);
		expect(new Set(seen)).toEqual(new Set(['ws://127.0.0.1:4003']));
		expect(connects).toEqual([]);
		// Asked while the pin was followed; gone once the service said pinned.
		expect(pins.view('m1')?.approve).toBeUndefined();
	});

	it('Add by CID: finds the node holding the CID through the service, or says which origin to allow', async () => {
		const blocked = store(false);
		await blocked.pins.saveService(ENDPOINT, 'token-0123456789');
		const signal = new AbortController().signal;
		expect(await blocked.pins.reachNodeFor(CID_TEXT, signal)).toEqual({
			reached: false,
			approve: 'ws://127.0.0.1:4003'
		});
		expect(blocked.connects).toEqual([]);

		const open = store(true);
		await open.pins.saveService(ENDPOINT, 'token-0123456789');
		expect(await open.pins.reachNodeFor(CID_TEXT, signal)).toEqual({ reached: true });
		expect(open.connects).toEqual([[WS]]);
		expect(await open.pins.reachNodeFor('bafkqaaa', signal)).toEqual({ reached: false });
		expect(open.service.requests.at(-1)?.url).toBe('/api/pins?cid=bafkqaaa&status=pinned&limit=1');
	});
});
