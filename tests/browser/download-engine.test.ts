/**
 * The download engine, run in a page against the Hub emulator (real fetch, redirects, OPFS,
 * IndexedDB, hash-wasm). The service worker runs the same class; e2e tests cover that host.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { hubAuthHeaders } from '../../src/lib/auth';
import { DownloadEngine, type EngineDeps } from '../../src/lib/downloads/engine';
import { idbJobStore } from '../../src/lib/downloads/job-store';
import type { DownloadEvent, DownloadRequest } from '../../src/lib/downloads/types';
import { deleteLocalModel, getLocalModel, openModelFiles } from '../../src/lib/storage/models';
import { opfsRoot } from '../../src/lib/storage/opfs';

const hubUrl = inject('hubUrl');
const SHARDED = 'citrate-test/tiny-llama-sharded-GGUF';
const GATED = 'citrate-test/gated-llama-GGUF';
const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';
const BOB_PAT = 'hf_BobReadTokenXX0123456789abcdefghij';

interface TreeEntry {
	type: string;
	path: string;
	size: number;
	lfs?: { oid: string };
}
interface LoggedRequest {
	time: string;
	origin: 'hub' | 'cdn';
	method: string;
	url: string;
	headers: Record<string, string>;
}

async function control(path: string, method: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!response.ok) throw new Error(`control ${path}: ${response.status}`);
	return response.headers.get('content-type')?.includes('json') ? response.json() : null;
}
const fault = (spec: Record<string, unknown>) => control('faults', 'POST', spec);
const requests = async () => (await control('requests', 'GET')) as LoggedRequest[];

/** The variant of `repoId` made of its `.gguf` files, pinned at its current commit. */
async function variantOf(repoId: string, token?: string): Promise<DownloadRequest> {
	const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
	const info = (await (await fetch(`${hubUrl}/api/models/${repoId}`, { headers })).json()) as {
		sha: string;
	};
	const tree = (await (
		await fetch(`${hubUrl}/api/models/${repoId}/tree/${info.sha}?recursive=true`, { headers })
	).json()) as TreeEntry[];
	const files = tree
		.filter((entry) => entry.type === 'file' && entry.path.endsWith('.gguf'))
		.sort((a, b) => (a.path < b.path ? -1 : 1))
		.map((entry) => ({ path: entry.path, size: entry.size, sha256: entry.lfs?.oid ?? null }));
	return { repoId, revision: info.sha, variant: { key: 'v', label: 'Q8_0', files } };
}

async function sha256Hex(blob: Blob): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The real OPFS, except that writes fail with `QuotaExceededError` once `limit` bytes were
 * written in all (as when the disk fills up mid-way).
 */
function quotaLimitedRoot(limit: number): () => Promise<FileSystemDirectoryHandle> {
	let written = 0;
	const wrap = <T extends object>(
		target: T,
		methods: Record<string, (...args: never[]) => unknown>
	) =>
		new Proxy(target, {
			get(object, property) {
				if (typeof property === 'string' && property in methods) return methods[property];
				const value: unknown = Reflect.get(object, property, object);
				return typeof value === 'function' ? value.bind(object) : value;
			}
		});
	const writable = (stream: FileSystemWritableFileStream) =>
		wrap(stream, {
			write: async (data: ArrayBufferView) => {
				if (written + data.byteLength > limit)
					throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
				written += data.byteLength;
				return stream.write(data as Uint8Array<ArrayBuffer>);
			}
		});
	const file = (handle: FileSystemFileHandle) =>
		wrap(handle, {
			createWritable: async (options?: FileSystemCreateWritableOptions) =>
				writable(await handle.createWritable(options))
		});
	const dir = (handle: FileSystemDirectoryHandle): FileSystemDirectoryHandle =>
		wrap(handle, {
			getDirectoryHandle: async (name: string, options?: FileSystemGetDirectoryOptions) =>
				dir(await handle.getDirectoryHandle(name, options)),
			getFileHandle: async (name: string, options?: FileSystemGetFileOptions) =>
				file(await handle.getFileHandle(name, options))
		});
	return async () => dir(await opfsRoot());
}

let dbCounter = 0;
function setup(overrides: Partial<EngineDeps> & { token?: string; dbName?: string } = {}) {
	const events: DownloadEvent[] = [];
	const dbName = overrides.dbName ?? `citrate-dl-test-${Date.now()}-${dbCounter++}`;
	const engine = new DownloadEngine({
		hubUrl,
		authHeaders: async (url) => hubAuthHeaders(url, hubUrl, overrides.token ?? null),
		root: opfsRoot,
		jobs: idbJobStore(dbName),
		models: {
			register: async (model) => {
				const { registerLocalModel } = await import('../../src/lib/storage/models');
				await registerLocalModel(model);
			},
			remove: deleteLocalModel
		},
		emit: (event) => events.push(event),
		estimate: () => navigator.storage.estimate(),
		settings: { segmentBytes: 256 * 1024, retryBaseMs: 50, retryMaxMs: 400, progressIntervalMs: 0 },
		...overrides
	});
	return { engine, events, dbName };
}

async function finished(engine: DownloadEngine, id: string) {
	await engine.idle();
	return (await engine.list()).find((job) => job.id === id);
}

beforeEach(async () => {
	await control('reset', 'POST');
});

afterEach(async () => {
	await control('faults', 'DELETE');
	const root = await opfsRoot();
	await root.removeEntry('models', { recursive: true }).catch(() => {});
});

describe('download engine', () => {
	it('downloads a 3-shard variant, verifies every file and registers the model', async () => {
		const request = await variantOf(SHARDED);
		expect(request.variant.files).toHaveLength(3);
		const { engine, events } = setup();
		const started = await engine.start(request);
		expect(['queued', 'downloading']).toContain(started.state);
		const job = await finished(engine, started.id);
		expect(job?.state).toBe('done');
		expect(job?.receivedBytes).toBe(job?.totalBytes);

		const model = await getLocalModel(started.id);
		expect(model?.files.map((f) => f.sha256)).toEqual(request.variant.files.map((f) => f.sha256));
		const files = await openModelFiles(started.id);
		expect(files.map((f) => f.name)).toEqual(request.variant.files.map((f) => f.path));
		for (const [index, file] of files.entries()) {
			expect(file.size).toBe(request.variant.files[index]!.size);
			expect(await sha256Hex(file)).toBe(request.variant.files[index]!.sha256);
		}
		expect(events.some((e) => e.type === 'progress')).toBe(true);
		expect(events.some((e) => e.type === 'modelsChanged')).toBe(true);

		// The resolve requests went to the Hub, the bytes came from the CDN, one of each per file.
		const log = await requests();
		const resolves = log.filter((r) => r.origin === 'hub' && r.url.includes('/resolve/'));
		expect(resolves.filter((r) => r.method === 'GET')).toHaveLength(3);
		expect(log.filter((r) => r.origin === 'cdn' && r.method === 'GET')).toHaveLength(3);
		// Asking again joins the finished job instead of downloading twice.
		expect((await engine.start(request)).state).toBe('done');
		await engine.deleteModel(started.id);
		expect(await getLocalModel(started.id)).toBeUndefined();
		await expect(openModelFiles(started.id)).rejects.toMatchObject({
			code: 'STORAGE_UNAVAILABLE'
		});
	});

	it('resumes a cut connection with a Range request from where it stopped', async () => {
		const request = await variantOf(SHARDED);
		const first = request.variant.files[0]!;
		const cutAt = Math.floor(first.size * 0.4);
		// Trickled over ~1 s: Chromium drops bytes it received but the engine had not read yet when
		// the socket breaks, so a cut in a burst could leave nothing to resume from.
		await fault({
			path: first.path,
			origin: 'cdn',
			cutAfterBytes: cutAt,
			throttleBytesPerSec: cutAt,
			times: 1
		});
		const { engine } = setup();
		const { id } = await engine.start(request);
		expect((await finished(engine, id))?.state).toBe('done');
		const ranges = (await requests())
			.filter((r) => r.origin === 'cdn' && r.method === 'GET')
			.map((r) => r.headers['range'])
			.filter(Boolean);
		// What arrived before the cut was kept (the socket may drop its last buffered bytes): the
		// retry asks for the rest only.
		expect(ranges).toHaveLength(1);
		const resumedFrom = Number(/^bytes=(\d+)-$/.exec(ranges[0]!)?.[1]);
		expect(resumedFrom).toBeGreaterThan(0);
		expect(resumedFrom).toBeLessThanOrEqual(cutAt);
		const [file] = await openModelFiles(id);
		expect(await sha256Hex(file!)).toBe(first.sha256);
		await engine.deleteModel(id);
	});

	it('picks a job up after the engine was stopped, without starting the file over', async () => {
		const request = await variantOf(SHARDED);
		request.variant.files = request.variant.files.slice(0, 1);
		const file = request.variant.files[0]!;
		await fault({ path: file.path, origin: 'cdn', throttleBytesPerSec: 2_000_000, times: 1 });
		const first = setup();
		const { id } = await first.engine.start(request);
		// Wait until some segments are committed, then stop it as the browser stops a worker.
		await expect
			.poll(async () => (await first.engine.list())[0]?.receivedBytes ?? 0, { timeout: 20_000 })
			.toBeGreaterThan(600_000);
		await first.engine.stop();
		const saved = (await first.engine.list())[0]!;
		expect(saved.receivedBytes).toBeGreaterThan(0);
		expect(saved.receivedBytes).toBeLessThan(file.size);

		const second = setup({ dbName: first.dbName });
		await second.engine.init();
		expect((await finished(second.engine, id))?.state).toBe('done');
		const gets = (await requests()).filter((r) => r.origin === 'cdn' && r.method === 'GET');
		expect(gets).toHaveLength(2);
		const resumedFrom = Number(/bytes=(\d+)-/.exec(gets[1]!.headers['range'] ?? '')?.[1]);
		expect(resumedFrom).toBeGreaterThan(0);
		expect(resumedFrom).toBe(saved.receivedBytes);
		expect(gets[1]!.headers['if-range']).toBe(`"${file.sha256}"`);
		const [stored] = await openModelFiles(id);
		expect(await sha256Hex(stored!)).toBe(file.sha256);
		await second.engine.deleteModel(id);
	});

	it('deletes a file whose bytes do not match the published SHA-256', async () => {
		const request = await variantOf(SHARDED);
		const second = request.variant.files[1]!;
		await fault({ path: second.path, origin: 'cdn', flipByteAt: 1000 });
		const { engine } = setup();
		const { id } = await engine.start(request);
		const job = await finished(engine, id);
		expect(job?.state).toBe('failed');
		expect(job?.error?.code).toBe('DOWNLOAD_HASH_MISMATCH');
		expect(job?.shards[1]?.state).toBe('failed');
		expect(job?.shards[1]?.received).toBe(0);
		expect(await getLocalModel(id)).toBeUndefined();
		// Retrying without the fault re-downloads only that file.
		await control('faults', 'DELETE');
		await control('requests', 'DELETE');
		await engine.resume(id);
		expect((await finished(engine, id))?.state).toBe('done');
		const gets = (await requests()).filter((r) => r.origin === 'cdn' && r.method === 'GET');
		expect(gets.every((r) => r.url.includes(second.sha256!))).toBe(true);
		await engine.deleteModel(id);
	});

	it('starts over when the server ignores Range, and waits after a 503', async () => {
		const request = await variantOf(SHARDED);
		request.variant.files = request.variant.files.slice(0, 1);
		const file = request.variant.files[0]!;
		await fault({ path: file.path, origin: 'cdn', throttleBytesPerSec: 1_000_000, times: 1 });
		const { engine, events } = setup();
		const { id } = await engine.start(request);
		await expect
			.poll(async () => (await engine.list())[0]?.receivedBytes ?? 0)
			.toBeGreaterThan(600_000);
		const paused = await engine.pause(id);
		expect(paused.receivedBytes).toBeGreaterThan(0);
		await control('requests', 'DELETE');
		await fault({ path: file.path, origin: 'cdn', ignoreRange: true, times: 1 });
		await fault({ path: file.path, origin: 'hub', status: 503, retryAfterSeconds: 1, times: 1 });
		await engine.resume(id);
		expect((await finished(engine, id))?.state).toBe('done');
		const [stored] = await openModelFiles(id);
		expect(await sha256Hex(stored!)).toBe(file.sha256);
		expect(events.some((e) => e.type === 'state' && e.job.state === 'done')).toBe(true);
		const log = await requests();
		const hubGets = log.filter(
			(r) => r.origin === 'hub' && r.method === 'GET' && r.url.includes('/resolve/')
		);
		// 503 first, then the retry no sooner than a second (the Hub's Retry-After is not exposed
		// to scripts by CORS, so the engine waits at least that long after a 429/503).
		expect(hubGets).toHaveLength(2);
		const gap = Date.parse(hubGets[1]!.time) - Date.parse(hubGets[0]!.time);
		expect(gap).toBeGreaterThanOrEqual(950);
		// A Range request answered with the whole file (200): taken from zero, in that response.
		const cdnGets = log.filter((r) => r.origin === 'cdn' && r.method === 'GET');
		expect(cdnGets).toHaveLength(1);
		expect(cdnGets[0]!.headers['range']).toBe(`bytes=${paused.receivedBytes}-`);
		await engine.deleteModel(id);
	});

	it('refuses a download that does not fit, before fetching anything', async () => {
		const request = await variantOf(SHARDED);
		const { engine } = setup({ estimate: async () => ({ usage: 1000, quota: 2000 }) });
		await expect(engine.start(request)).rejects.toMatchObject({ code: 'STORAGE_QUOTA' });
		expect(await engine.list()).toEqual([]);
		expect((await requests()).filter((r) => r.url.includes('/resolve/'))).toEqual([]);
	});

	it('a quota error mid-way keeps exactly the committed segments, and the retry resumes there', async () => {
		const request = await variantOf(SHARDED);
		request.variant.files = request.variant.files.slice(0, 1);
		const file = request.variant.files[0]!;
		const segment = 256 * 1024;
		expect(file.size).toBeGreaterThan(4 * segment);
		// Two segments fit; the third fails while the first ones may still be closing.
		const first = setup({ root: quotaLimitedRoot(2.5 * segment) });
		const { id } = await first.engine.start(request);
		const failed = await finished(first.engine, id);
		expect(failed?.state).toBe('failed');
		expect(failed?.error?.code).toBe('STORAGE_QUOTA');
		const [saved] = await idbJobStore(first.dbName).all();
		const shard = saved!.shards[0]!;
		expect(shard.committed).toBe(2 * segment);
		expect(shard.segments).toBe(2);
		expect(shard.hashState).not.toBeNull();
		await first.engine.stop();

		await control('reset', 'POST');
		const second = setup({ dbName: first.dbName });
		await second.engine.resume(id);
		expect((await finished(second.engine, id))?.state).toBe('done');
		const gets = (await requests()).filter((r) => r.origin === 'cdn' && r.method === 'GET');
		expect(gets.map((r) => r.headers['range'])).toEqual([`bytes=${2 * segment}-`]);
		const [stored] = await openModelFiles(id);
		expect(await sha256Hex(stored!)).toBe(file.sha256);
		await second.engine.deleteModel(id);
	});

	it('pauses, resumes, and cancels deleting the partial bytes', async () => {
		const request = await variantOf(SHARDED);
		await fault({ origin: 'cdn', throttleBytesPerSec: 1_000_000 });
		const { engine } = setup();
		const { id } = await engine.start(request);
		await expect
			.poll(async () => (await engine.list())[0]?.receivedBytes ?? 0)
			.toBeGreaterThan(300_000);
		const paused = await engine.pause(id);
		expect(paused.state).toBe('paused');
		const kept = paused.receivedBytes;
		await new Promise((r) => setTimeout(r, 300));
		expect((await engine.list())[0]?.receivedBytes).toBe(kept);
		await engine.resume(id);
		await expect
			.poll(async () => (await engine.list())[0]?.receivedBytes ?? 0)
			.toBeGreaterThan(kept);
		await engine.cancel(id);
		expect(await engine.list()).toEqual([]);
		const root = await opfsRoot();
		const models = await root.getDirectoryHandle('models').catch(() => null);
		const names: string[] = [];
		if (models)
			for await (const name of (models as unknown as { keys(): AsyncIterable<string> }).keys())
				names.push(name);
		expect(names).toEqual([]);
	});

	it('gated repos: the Hub reason without access, the file with a granted token', async () => {
		const request = await variantOf(GATED, ALICE_PAT);
		const denied = setup({ token: BOB_PAT });
		const { id } = await denied.engine.start(request);
		const failed = await finished(denied.engine, id);
		expect(failed?.state).toBe('failed');
		expect(failed?.error?.code).toBe('HUB_GATED');
		expect(failed?.error?.message).toMatch(/restricted/);
		await denied.engine.cancel(id);

		await control('requests', 'DELETE');
		const granted = setup({ token: ALICE_PAT });
		await granted.engine.start(request);
		expect((await finished(granted.engine, id))?.state).toBe('done');
		// The token went to the Hub only, never to the CDN, and never in a URL.
		const log = await requests();
		expect(log.some((r) => r.origin === 'hub' && r.headers['authorization'])).toBe(true);
		expect(log.filter((r) => r.origin === 'cdn' && r.headers['authorization'])).toEqual([]);
		expect(log.filter((r) => r.url.includes(ALICE_PAT))).toEqual([]);
		await granted.engine.deleteModel(id);
	});
	it('a file whose check fails while the last page hands its job over fails the job with its reason, not leaving it stuck', async () => {
		const request = await variantOf(SHARDED);
		request.variant.files = request.variant.files.slice(0, 1);
		const file = request.variant.files[0]!;
		await fault({ path: file.path, origin: 'cdn', flipByteAt: 4096, times: 1 });
		const dbName = `citrate-dl-test-${Date.now()}-${dbCounter++}`;
		const store = idbJobStore(dbName);
		// The save of the file's last commit waits: the page goes away right then, and the engine
		// stops the job for Background Fetch while the file goes on to its check.
		let lastCommit: (() => void) | null = null;
		const held = new Promise<void>((resolve) => (lastCommit = resolve));
		let holding = false;
		const { engine } = setup({
			dbName,
			jobs: {
				...store,
				async put(job) {
					const shard = job.shards[0]!;
					if (shard.state === 'downloading' && shard.committed === shard.size && !holding) {
						holding = true;
						await held;
					}
					await store.put(job);
				}
			}
		});
		const { id } = await engine.start(request);
		await expect.poll(() => holding, { timeout: 20_000 }).toBe(true);
		const handing = engine.background.handOff(id, { dropUncommitted: true });
		lastCommit!();
		// The file failed its check meanwhile: there is nothing to hand over.
		expect(await handing).toBeNull();
		const job = await finished(engine, id);
		expect(job?.state).toBe('failed');
		expect(job?.error?.code).toBe('DOWNLOAD_HASH_MISMATCH');
		expect(job?.shards[0]?.state).toBe('failed');
		// A page coming back right after the hand-over changes nothing.
		await engine.background.ended(id, null);
		expect((await engine.list()).find((j) => j.id === id)?.state).toBe('failed');
		await engine.cancel(id);
	});

	it('a job saved as running with a failed file is failed when the engine starts, with a way to retry', async () => {
		const request = await variantOf(SHARDED);
		request.variant.files = request.variant.files.slice(0, 1);
		const first = setup();
		const { id } = await first.engine.start(request);
		await first.engine.pause(id);
		const [saved] = await idbJobStore(first.dbName).all();
		// As an older engine left it: its file failed its check mid-hand-over, the job still running.
		await idbJobStore(first.dbName).put({
			...saved!,
			state: 'verifying',
			error: null,
			shards: saved!.shards.map((shard) => ({ ...shard, state: 'failed' as const }))
		});
		const { engine } = setup({ dbName: first.dbName });
		await engine.init();
		const job = (await engine.list()).find((j) => j.id === id);
		expect(job?.state).toBe('failed');
		expect(job?.error?.message).toContain(`${request.variant.files[0]!.path} failed`);
		await engine.resume(id);
		expect((await finished(engine, id))?.state).toBe('done');
		await engine.deleteModel(id);
	});

	it('a hand-over the last page asked for drops the uncommitted tail, and a response starting before the committed byte passes over what is saved', async () => {
		const request = await variantOf(SHARDED);
		request.variant.files = request.variant.files.slice(0, 1);
		const file = request.variant.files[0]!;
		await fault({ path: file.path, origin: 'cdn', throttleBytesPerSec: 600_000, times: 1 });
		const { engine } = setup();
		const { id } = await engine.start(request);
		await expect
			.poll(async () => (await engine.list())[0]?.receivedBytes ?? 0, { timeout: 20_000 })
			.toBeGreaterThan(800_000);
		const job = await engine.background.handOff(id, { dropUncommitted: true });
		const shard = job!.shards[0]!;
		// Only whole segments stay: what arrived after the last commit is dropped, not kept.
		expect(shard.committed).toBeGreaterThanOrEqual(2 * shard.segmentBytes);
		expect(shard.committed % shard.segmentBytes).toBe(0);
		expect(shard.committed).toBeLessThan(file.size);

		// The browser's response starts one segment early (the page knew an older commit).
		const from = shard.committed - shard.segmentBytes;
		const response = await fetch(`${hubUrl}/${SHARDED}/resolve/${request.revision}/${file.path}`, {
			headers: { Range: `bytes=${from}-` }
		});
		expect(response.status).toBe(206);
		const before = (await requests()).length;
		await engine.background.started(id, {
			fetchId: `citrate-download:${id}`,
			files: [{ path: file.path, url: response.url, start: from }],
			startedAt: Date.now()
		});
		// As Background Fetch keeps it: a 206 with its safelisted headers only (no Content-Range).
		const kept = new Response(response.body, {
			status: 206,
			headers: { 'content-length': String(file.size - from) }
		});
		const result = await engine.background.adopt(id, new Map([[file.path, kept]]));
		expect(result.state).toBe('done');
		// Nothing was fetched again: the engine took that response as it was.
		expect((await requests()).slice(before)).toEqual([]);
		const [stored] = await openModelFiles(id);
		expect(await sha256Hex(stored!)).toBe(file.sha256);
		await engine.deleteModel(id);
	});
});
