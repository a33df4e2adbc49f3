/** The Hub client against the emulator, in a real browser (CORS, redirects, Range reads). */
import { describe, expect, inject, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import {
	estimateFit,
	groupVariants,
	HubClient,
	memoryHubCache,
	shapeFromSummary,
	type DeviceLimits
} from '../../src/lib/hub';
import { renderMarkdown } from '../../src/lib/markdown';

const hubUrl = inject('hubUrl');
const ALICE = 'hf_AliceReadToken0123456789abcdefghij';
const BOB = 'hf_BobReadTokenXX0123456789abcdefghij';

function client(token: string | null = null, fetchImpl?: typeof fetch) {
	return new HubClient({
		hubUrl,
		getToken: () => Promise.resolve(token),
		cache: memoryHubCache(),
		...(fetchImpl ? { fetch: fetchImpl } : {})
	});
}

async function control(path: string, method: string, body?: unknown) {
	const response = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	expect(response.ok).toBe(true);
}

describe('search', () => {
	test('GGUF text-generation search pages through the Link cursor without repeats', async () => {
		const hub = client();
		const query = {
			search: 'coder',
			ggufOnly: true,
			task: 'text-generation',
			sort: 'downloads' as const,
			limit: 5
		};
		const first = await hub.search(query);
		expect(first.cached).toBe(false);
		expect(first.models).toHaveLength(5);
		expect(first.next).toMatch(/cursor=/);
		const second = await hub.search(query, { next: first.next });
		expect(second.models.length).toBeGreaterThan(0);
		const ids = [...first.models, ...second.models].map((m) => m.id);
		expect(new Set(ids).size).toBe(ids.length);
		const downloads = first.models.map((m) => m.downloads);
		expect([...downloads].sort((a, b) => b - a)).toEqual(downloads);
		const qwen = [...first.models, ...second.models].find(
			(m) => m.id === 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF'
		);
		expect(qwen?.author).toBe('Qwen');
		expect(qwen?.parameterCount).toBeGreaterThan(7e9);
	});

	test('search sends no token, even when signed in', async () => {
		await control('requests', 'DELETE');
		await client(ALICE).search({ search: 'token-probe', ggufOnly: true, task: '', sort: 'likes' });
		const response = await fetch(`${hubUrl}/__emulator/requests`);
		const requests = (await response.json()) as { url: string; headers: Record<string, string> }[];
		const search = requests.filter((r) => r.url.includes('token-probe'));
		expect(search.length).toBeGreaterThan(0);
		for (const request of search) expect(request.headers.authorization).toBeUndefined();
	});

	test('a 429 becomes HUB_RATE_LIMITED with a retry delay; the next call succeeds', async () => {
		await control('faults', 'POST', {
			path: 'ratelimit-probe',
			status: 429,
			retryAfterSeconds: 2,
			times: 1
		});
		const hub = client();
		const query = {
			search: 'ratelimit-probe',
			ggufOnly: false,
			task: '',
			sort: 'downloads' as const
		};
		const error = await hub.search(query).catch((e: unknown) => e);
		expect(AppError.is(error, 'HUB_RATE_LIMITED')).toBe(true);
		expect((error as AppError).details?.retryAfter).toBeGreaterThan(0);
		await expect(hub.search(query)).resolves.toMatchObject({ cached: false });
	});

	test('offline: a page seen before comes from the cache, marked cached', async () => {
		let online = true;
		const hub = client(null, (input, init) =>
			online ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch'))
		);
		const query = { search: 'llama', ggufOnly: true, task: '', sort: 'downloads' as const };
		const live = await hub.search(query);
		online = false;
		const cached = await hub.search(query);
		expect(cached.cached).toBe(true);
		expect(cached.models.map((m) => m.id)).toEqual(live.models.map((m) => m.id));
		const unseen = await hub
			.search({ ...query, search: 'never-searched' })
			.catch((e: unknown) => e);
		expect(AppError.is(unseen)).toBe(true);
		expect((unseen as AppError).code).toMatch(/OFFLINE|HUB_UNAVAILABLE/);
	});

	test('aborting a search rejects with ABORTED', async () => {
		const controller = new AbortController();
		const pending = client().search(
			{ search: 'qwen', ggufOnly: true, task: '', sort: 'downloads' },
			{ signal: controller.signal }
		);
		controller.abort();
		await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
	});
});

describe('model info, files, header and fit', () => {
	test('Qwen2.5-Coder-7B: variants from blobs, header by Range, fit at 4k and 32k', async () => {
		const hub = client();
		const { value: info } = await hub.getModel('Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
		expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
		expect(info.license).toBe('apache-2.0');
		const variants = groupVariants(info.files, { parameterCount: info.parameterCount });
		const q4 = variants.find((v) => v.label === 'Q4_K_M');
		expect(q4?.recommended).toBe(true);
		expect(q4?.totalBytes).toBeGreaterThan(4e9);
		expect(q4?.files.every((f) => f.sha256?.length === 64)).toBe(true);
		const fp16 = variants.find((v) => v.quant === 'F16');
		expect(fp16?.shardCount).toBe(4);

		const tree = await hub.listFiles(info.id, { revision: info.sha });
		expect(tree.map((f) => f.path).sort()).toEqual(info.files.map((f) => f.path).sort());

		const first = q4?.files[0];
		if (!q4 || !first) throw new Error('no Q4_K_M');
		const { value: header } = await hub.ggufHeader(info.id, info.sha, first.path, {
			fileSize: first.size
		});
		expect(header.architecture).toBe('qwen2');
		expect(header.blockCount).toBe(28);
		expect(header.headCountKv).toBe(4);
		expect(header.headDimK).toBe(128);
		expect(header.contextLength).toBe(32768);
		expect(header.hasChatTemplate).toBe(true);
		const shape = shapeFromSummary(header);
		const device: DeviceLimits = {
			deviceMemoryBytes: 16 * 1024 ** 3,
			deviceMemoryCapped: false,
			memory64: true,
			webgpu: null,
			storageFreeBytes: 100 * 1024 ** 3
		};
		const at4k = estimateFit({ weightsBytes: q4.totalBytes, shape, contextLength: 4096 }, device);
		const at32k = estimateFit({ weightsBytes: q4.totalBytes, shape, contextLength: 32768 }, device);
		// The app's q8_0 KV cache: 34 bytes per 32 elements (f16 would be 224 MiB and 1.75 GiB).
		expect(at4k.kvCacheBytes).toBe((224 * 1024 ** 2 * 34) / 64);
		expect(at32k.kvCacheBytes).toBe((1.75 * 1024 ** 3 * 34) / 64);
		expect(at4k.verdict).toBe('fits');
	});

	test('sharded tiny-llama: one variant with three shards in order', async () => {
		const hub = client();
		const { value: info } = await hub.getModel('citrate-test/tiny-llama-sharded-GGUF');
		const variants = groupVariants(info.files);
		expect(variants).toHaveLength(1);
		expect(variants[0]?.shardCount).toBe(3);
		expect(variants[0]?.files.map((f) => f.path)).toEqual([
			'tiny-llama-Q8_0-00001-of-00003.gguf',
			'tiny-llama-Q8_0-00002-of-00003.gguf',
			'tiny-llama-Q8_0-00003-of-00003.gguf'
		]);
		const { value: header } = await hub.ggufHeader(
			info.id,
			info.sha,
			variants[0]?.files[0]?.path ?? ''
		);
		expect(header.splitCount).toBe(3);
		expect(header.architecture).toBe('llama');
	});

	test('missing repos and bad ids', async () => {
		await expect(client().getModel('citrate-test/does-not-exist')).rejects.toMatchObject({
			code: 'HUB_NOT_FOUND'
		});
		await expect(client().getModel('../../etc/passwd')).rejects.toMatchObject({
			code: 'HUB_INVALID_REPO_ID'
		});
		await expect(client().getModel('alice/private-llama-GGUF')).rejects.toMatchObject({
			code: 'HUB_NOT_FOUND'
		});
		await expect(client(ALICE).getModel('alice/private-llama-GGUF')).resolves.toMatchObject({
			cached: false
		});
	});
});

describe('gated repos', () => {
	const gated = 'citrate-test/gated-llama-GGUF';

	test('signed out: sign in; bob: request access; alice: granted', async () => {
		expect(await client().checkAccess(gated)).toBe('sign-in');
		expect(await client(BOB).checkAccess(gated)).toBe('request-access');
		expect(await client(ALICE).checkAccess(gated)).toBe('granted');
		expect(await client().checkAccess('citrate-test/tiny-llama-GGUF')).toBe('granted');
	});

	test('the header of a gated file needs access; the token never reaches the CDN', async () => {
		const { value: info } = await client().getModel(gated);
		const file = groupVariants(info.files)[0]?.files[0];
		if (!file) throw new Error('no file');
		await expect(client().ggufHeader(gated, info.sha, file.path)).rejects.toMatchObject({
			code: 'HUB_GATED'
		});
		await expect(client(BOB).ggufHeader(gated, info.sha, file.path)).rejects.toMatchObject({
			code: 'HUB_GATED'
		});
		await control('requests', 'DELETE');
		const { value: header } = await client(ALICE).ggufHeader(gated, info.sha, file.path);
		expect(header.architecture).toBe('llama');
		const requests = (await (await fetch(`${hubUrl}/__emulator/requests`)).json()) as {
			origin: string;
			url: string;
			headers: Record<string, string>;
		}[];
		const hub = requests.filter(
			(r) => r.origin === 'hub' && r.url.includes('/resolve/') && r.headers.authorization
		);
		expect(hub.length).toBeGreaterThan(0);
		for (const request of requests.filter((r) => r.origin === 'cdn')) {
			expect(request.headers.authorization).toBeUndefined();
			expect(request.url).not.toContain('hf_');
		}
	});
});

describe('model cards', () => {
	test('the XSS README renders inert', async () => {
		const hub = client();
		const { value: info } = await hub.getModel('citrate-test/xss-readme-GGUF');
		const { value: readme } = await hub.readme(info.id, info.sha);
		expect(readme).toContain('<script>');
		expect(readme).not.toMatch(/^---/);
		const w = window as unknown as { __xss?: number };
		w.__xss = 0;
		const root = document.createElement('div');
		root.innerHTML = renderMarkdown(readme ?? '', { allowImagesFrom: [hubUrl] });
		document.body.append(root);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(root.querySelector('script, iframe')).toBeNull();
		expect(root.innerHTML.toLowerCase()).not.toContain('javascript:');
		expect(root.innerHTML).not.toMatch(/onerror/i);
		expect(root.textContent).toContain('Safe text after the probes.');
		expect(w.__xss).toBe(0);
	});
});
