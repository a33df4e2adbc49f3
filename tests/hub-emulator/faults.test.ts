/** Fault knobs, grants, config and the request log of the control API. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ALICE_TOKEN, bearer, BOB_TOKEN, controlPost, sha256Hex, startTestHub } from './helpers';
import type { HubEmulator } from './server';
import type { LoggedRequest } from './state';

let hub: HubEmulator;
const FILE = 'tiny-llama-F16.gguf';
let url: string;
let original: Uint8Array;

beforeAll(async () => {
	hub = await startTestHub();
	url = `${hub.hubUrl}/citrate-test/tiny-llama-GGUF/resolve/main/${FILE}`;
	original = new Uint8Array(await (await fetch(url)).arrayBuffer());
}, 120_000);
afterAll(() => hub?.close());
beforeEach(async () => {
	await controlPost(hub.hubUrl, 'reset', {});
});

/** Reads a body to the end or to the error; returns the bytes read and whether it failed. */
async function drain(res: Response): Promise<{ bytes: Uint8Array; failed: boolean }> {
	const reader = res.body!.getReader();
	const parts: Uint8Array[] = [];
	let failed = false;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			parts.push(value);
		}
	} catch {
		failed = true;
	}
	const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) {
		bytes.set(p, o);
		o += p.length;
	}
	return { bytes, failed };
}

describe('faults', () => {
	test('cutAfterBytes destroys the connection mid-body, `times` limits it', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, cutAfterBytes: 100_000, times: 1 });
		const res = await fetch(url);
		expect(res.status).toBe(200);
		expect(Number(res.headers.get('content-length'))).toBe(original.length);
		const cut = await drain(res);
		expect(cut.failed).toBe(true);
		expect(cut.bytes.length).toBe(100_000);
		expect([...cut.bytes.subarray(0, 64)]).toEqual([...original.subarray(0, 64)]);
		const again = await drain(await fetch(url));
		expect(again.failed).toBe(false);
		expect(again.bytes.length).toBe(original.length);
	});

	test('stallAfterBytes sends nothing more and keeps the connection open', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, stallAfterBytes: 50_000, times: 1 });
		const controller = new AbortController();
		const res = await fetch(url, { signal: controller.signal });
		const reader = res.body!.getReader();
		let received = 0;
		const silence = async () => {
			for (;;) {
				const next = await Promise.race([
					reader.read(),
					new Promise<'silent'>((r) => setTimeout(() => r('silent'), 1000))
				]);
				if (next === 'silent') return 'silent';
				if (next.done) return 'ended';
				received += next.value.length;
			}
		};
		expect(await silence()).toBe('silent');
		expect(received).toBe(50_000);
		controller.abort();
		await reader.cancel().catch(() => {});
		const again = await drain(await fetch(url));
		expect(again.bytes.length).toBe(original.length);
	});

	test('flipByteAt corrupts exactly one byte at an absolute offset, also inside a Range', async () => {
		const at = 200_000;
		await controlPost(hub.hubUrl, 'faults', { path: FILE, flipByteAt: at, times: 1 });
		// A range that does not hold the byte leaves the fault armed.
		const before = await fetch(url, { headers: { Range: 'bytes=0-999' } });
		expect([...new Uint8Array(await before.arrayBuffer())]).toEqual([
			...original.subarray(0, 1000)
		]);
		const res = await fetch(url, { headers: { Range: `bytes=${at - 10}-` } });
		const got = new Uint8Array(await res.arrayBuffer());
		const want = original.subarray(at - 10);
		const diffs = [...got.keys()].filter((i) => got[i] !== want[i]);
		expect(diffs).toEqual([10]);
		expect(sha256Hex(new Uint8Array(await (await fetch(url)).arrayBuffer()))).toBe(
			sha256Hex(original)
		);
	});

	test('throttleBytesPerSec slows the body down', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, throttleBytesPerSec: 200_000 });
		const t0 = Date.now();
		const res = await fetch(url, { headers: { Range: 'bytes=0-99999' } });
		expect((await res.arrayBuffer()).byteLength).toBe(100_000);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
	});

	test('429 with Retry-After, 503, on either origin, then back to normal', async () => {
		await controlPost(hub.hubUrl, 'faults', {
			path: FILE,
			origin: 'hub',
			status: 429,
			retryAfterSeconds: 7,
			times: 1
		});
		const limited = await fetch(url);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('7');
		await controlPost(hub.hubUrl, 'faults', { path: FILE, origin: 'cdn', status: 503, times: 1 });
		const unavailable = await fetch(url);
		expect(unavailable.status).toBe(503);
		expect(unavailable.headers.get('access-control-allow-origin')).toBe('*');
		expect((await fetch(url, { headers: { Range: 'bytes=0-0' } })).status).toBe(206);
	});

	test('ignoreRange answers 200 with the whole body', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, ignoreRange: true, times: 1 });
		const res = await fetch(url, { headers: { Range: 'bytes=100-' } });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-range')).toBeNull();
		expect((await res.arrayBuffer()).byteLength).toBe(original.length);
	});

	test('expireAfterMs: a signed CDN URL older than that answers 403 Request has expired; a fresh resolve works', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, expireAfterMs: 300 });
		const signed = (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
		expect(new URL(signed).origin).toBe(hub.cdnUrl);
		const range = { headers: { Range: 'bytes=0-0' } };
		expect((await fetch(signed, range)).status).toBe(206);
		await new Promise((resolve) => setTimeout(resolve, 400));
		const expired = await fetch(signed, range);
		expect(expired.status).toBe(403);
		expect(expired.headers.get('access-control-allow-origin')).toBe('*');
		expect(await expired.text()).toContain('<Message>Request has expired</Message>');
		// Resolving again issues a URL that works (the redirect follows at once).
		expect((await fetch(url, range)).status).toBe(206);
		await expect(
			controlPost(hub.hubUrl, 'faults', { origin: 'hub', expireAfterMs: 1 })
		).rejects.toThrow();
	});

	test('separate faults for one file play in order, one per response', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, cutAfterBytes: 1000, times: 1 });
		await controlPost(hub.hubUrl, 'faults', { path: FILE, ignoreRange: true, times: 1 });
		const cut = await drain(await fetch(url));
		expect(cut).toMatchObject({ failed: true });
		expect(cut.bytes.length).toBe(1000);
		const resumed = await fetch(url, { headers: { Range: 'bytes=1000-' } });
		expect(resumed.status).toBe(200);
		expect((await drain(resumed)).bytes.length).toBe(original.length);
		expect((await fetch(url, { headers: { Range: 'bytes=1000-' } })).status).toBe(206);
	});

	test('a fault is only used up by a response it changes', async () => {
		await controlPost(hub.hubUrl, 'faults', { path: FILE, cutAfterBytes: 100_000, times: 1 });
		await controlPost(hub.hubUrl, 'faults', { path: FILE, ignoreRange: true, times: 1 });
		// A short header read is not cut, and a request without Range cannot ignore it.
		const short = await fetch(url, { headers: { Range: 'bytes=0-999' } });
		expect(short.status).toBe(206);
		expect((await drain(short)).bytes.length).toBe(1000);
		expect((await drain(await fetch(url))).bytes.length).toBe(100_000);
		expect((await fetch(url, { headers: { Range: 'bytes=5-' } })).status).toBe(200);
		expect((await fetch(url, { headers: { Range: 'bytes=5-' } })).status).toBe(206);
	});

	test('bad fault specs are refused; DELETE clears all', async () => {
		const res = await fetch(`${hub.hubUrl}/__emulator/faults`, {
			method: 'POST',
			body: JSON.stringify({ status: 500 })
		});
		expect(res.status).toBe(400);
		await controlPost(hub.hubUrl, 'faults', { path: FILE, status: 503 });
		await controlPost(hub.hubUrl, 'faults', {}, 'DELETE');
		expect((await fetch(url, { headers: { Range: 'bytes=0-0' } })).status).toBe(206);
	});
});

describe('grants, config and the request log', () => {
	test('grants can be given and revoked; reset restores the defaults', async () => {
		const gated = `${hub.hubUrl}/citrate-test/gated-auto-GGUF/resolve/main/tiny-llama-Q8_0.gguf`;
		const as = (token: string) =>
			fetch(gated, { headers: { ...bearer(token), Range: 'bytes=0-0' } });
		expect((await as(BOB_TOKEN)).status).toBe(403);
		await controlPost(hub.hubUrl, 'grants', { repo: 'citrate-test/gated-auto-GGUF', user: 'bob' });
		expect((await as(BOB_TOKEN)).status).toBe(206);
		await controlPost(
			hub.hubUrl,
			'grants',
			{ repo: 'citrate-test/gated-auto-GGUF', user: 'alice' },
			'DELETE'
		);
		expect((await as(ALICE_TOKEN)).status).toBe(403);
		await controlPost(hub.hubUrl, 'reset', {});
		expect((await as(ALICE_TOKEN)).status).toBe(206);
		expect((await as(BOB_TOKEN)).status).toBe(403);
	});

	test('the log records both origins with all headers; the CDN never sees the token', async () => {
		await controlPost(hub.hubUrl, 'requests', {}, 'DELETE');
		const gated = `${hub.hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`;
		const res = await fetch(gated, { headers: { ...bearer(ALICE_TOKEN), Range: 'bytes=0-7' } });
		expect(res.status).toBe(206);
		const log = (await (
			await fetch(`${hub.hubUrl}/__emulator/requests`)
		).json()) as LoggedRequest[];
		const hubReq = log.find((r) => r.origin === 'hub')!;
		expect(hubReq.headers.authorization).toBe(`Bearer ${ALICE_TOKEN}`);
		expect(hubReq.headers.range).toBe('bytes=0-7');
		expect(hubReq.status).toBe(302);
		const cdnReq = log.find((r) => r.origin === 'cdn')!;
		expect(cdnReq.url).not.toContain(ALICE_TOKEN);
		// Node's fetch, like browsers, drops Authorization on a cross-origin redirect.
		expect(cdnReq.headers.authorization).toBeUndefined();
		expect(cdnReq.status).toBe(206);
		expect(log.every((r) => !r.url.includes('__emulator'))).toBe(true);
	});

	test('rate limits can be lowered to see a real 429 with RateLimit headers', async () => {
		await controlPost(hub.hubUrl, 'config', { rateLimits: { api: 2 } });
		const u = `${hub.hubUrl}/api/models/citrate-test/tiny-llama-GGUF`;
		expect((await fetch(u)).status).toBe(200);
		expect((await fetch(u)).status).toBe(200);
		const third = await fetch(u);
		expect(third.status).toBe(429);
		expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(third.headers.get('ratelimit')).toMatch(/^"api";r=0;t=\d+$/);
	});
});
