/** The search and model-page stores against the emulator: debounce, stale aborts, 429 retry, access. */
import { describe, expect, inject, test } from 'vitest';
import * as hub from '../../src/lib/hub';
import { SPEED_TABLE } from '../../src/lib/inference/speed-prediction';
import { ModelStore } from '../../src/lib/stores/model.svelte';
import { SearchStore, type HubDeps } from '../../src/lib/stores/search.svelte';

const hubUrl = inject('hubUrl');
const BOB = 'hf_BobReadTokenXX0123456789abcdefghij';
const device = () =>
	Promise.resolve<hub.DeviceLimits>({
		deviceMemoryBytes: 8 * hub.GiB,
		deviceMemoryCapped: true,
		memory64: true,
		webgpu: null,
		storageFreeBytes: 50 * hub.GiB
	});

function deps(token: string | null = null, log: string[] = []): () => Promise<HubDeps> {
	const client = new hub.HubClient({
		hubUrl,
		getToken: () => Promise.resolve(token),
		cache: hub.memoryHubCache(),
		fetch: (input, init) => {
			log.push(String(input));
			return fetch(input, init);
		}
	});
	return () => Promise.resolve({ hub, client });
}

async function until(check: () => boolean, timeoutMs = 10_000) {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('SearchStore', () => {
	test('typing is debounced into one request', async () => {
		const log: string[] = [];
		const store = new SearchStore(deps(null, log), { debounceMs: 100, device });
		for (const text of ['c', 'co', 'cod', 'code', 'coder']) store.setText(text);
		await until(() => store.status === 'ready');
		const searches = log.filter((url) => url.includes('/api/models?'));
		expect(searches).toHaveLength(1);
		expect(new URL(searches[0] ?? '').searchParams.get('search')).toBe('coder');
		expect(store.results.length).toBeGreaterThan(0);
		expect(store.hasMore).toBe(true);
		const first = store.results.length;
		await store.loadMore();
		expect(store.results.length).toBeGreaterThan(first);
		store.dispose();
	});

	test('a newer query aborts the stale one: results match the last query', async () => {
		const store = new SearchStore(deps(), { debounceMs: 0, device });
		store.setText('llama');
		const stale = store.search();
		store.setText('not-gguf-model');
		store.setGgufOnly(false);
		await stale;
		await until(() => store.status === 'ready' && store.searched?.search === 'not-gguf-model');
		expect(store.results.map((m) => m.id)).toEqual(['citrate-test/not-gguf-model']);
		store.dispose();
	});

	test('apply runs a whole query from the URL once, and not again while it is shown', async () => {
		const log: string[] = [];
		const store = new SearchStore(deps(null, log), { debounceMs: 0, device });
		const query = { search: 'coder', ggufOnly: true, task: '', sort: 'likes' as const };
		store.apply(query);
		await until(() => store.status === 'ready');
		expect(store.query).toEqual(query);
		const searches = () => log.filter((url) => url.includes('/api/models?'));
		expect(searches()).toHaveLength(1);
		const url = new URL(searches()[0] ?? '');
		expect(url.searchParams.get('search')).toBe('coder');
		expect(url.searchParams.get('sort')).toBe('likes');
		expect(url.searchParams.get('pipeline_tag')).toBeNull();
		const likes = store.results.map((m) => m.likes);
		expect(likes).toEqual([...likes].sort((a, b) => b - a));

		store.apply({ ...query });
		store.apply({ ...query, search: ' coder ' });
		expect(searches()).toHaveLength(1);
		// An empty query from the URL goes back to the recommendations.
		store.apply({ ...query, search: '' });
		expect(store.searched).toBeNull();
		expect(store.results).toEqual([]);
		store.dispose();
	});

	test('a 429 counts down and retries by itself', async () => {
		await fetch(`${hubUrl}/__emulator/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ path: 'store-429-probe', status: 429, retryAfterSeconds: 1, times: 1 })
		});
		// A fast clock: one "second" of countdown is 10 ms.
		const store = new SearchStore(deps(), {
			debounceMs: 0,
			device,
			setTimeout: (fn, ms) => setTimeout(fn, ms / 100),
			clearTimeout: (id) => clearTimeout(id as number)
		});
		store.setText('store-429-probe');
		await store.search();
		expect(store.status).toBe('rate-limited');
		expect(store.retryIn).toBeGreaterThan(0);
		expect(store.error?.code).toBe('HUB_RATE_LIMITED');
		await until(() => store.status === 'ready');
		expect(store.error).toBeNull();
		store.dispose();
	});

	test('recommended models each get a fit verdict and a speed; browser ones first', async () => {
		const store = new SearchStore(deps(), { device, cores: () => 4 });
		await store.loadRecommended();
		expect(store.recommended).toHaveLength(12);
		expect(store.recommended.slice(0, 7).every((r) => r.tier === 'browser')).toBe(true);
		for (const item of store.recommended) {
			expect(item.status, item.error ?? '').toBe('ready');
			expect(item.fit?.verdict).toMatch(/^(fits|tight|wont-fit)$/);
			expect(item.speed).toBeGreaterThan(0);
			// Larger models say why they do not suit a browser; 0.5B–1.7B ones suit it.
			if (item.tier === 'large') expect(item.whyNot, item.id).toMatch(/tok\/s|Needs/);
		}
		const smol = store.recommended.find((r) => r.id === 'HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF');
		expect(smol?.variant?.label).toBe('Q4_K_M');
		expect(smol?.whyNot).toBeNull();
		const qwen7 = store.recommended.find((r) => r.id === 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
		expect(qwen7?.variant?.label).toBe('Q4_K_M');
		expect(qwen7?.fit?.kvExact).toBe(true);
		// The app's q8_0 KV cache (f16: 224 MiB).
		expect(qwen7?.fit?.kvCacheBytes).toBe((224 * hub.MiB * 34) / 64);
	});

	test('recommendations follow this device’s stored speed calibration', async () => {
		// A device 100× slower than the reference machine: even a 1.7B model crawls here.
		const slow = new SearchStore(deps(), {
			device,
			cores: () => 4,
			calibration: async () => SPEED_TABLE.referenceScore / 100
		});
		await slow.loadRecommended();
		const smol = slow.recommended.find((r) => r.id === 'HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF');
		expect(smol?.whyNot).toMatch(/tok\/s on this device’s CPU: too slow/);
		const fast = new SearchStore(deps(), {
			device,
			cores: () => 4,
			calibration: async () => SPEED_TABLE.referenceScore
		});
		await fast.loadRecommended();
		const same = fast.recommended.find((r) => r.id === smol?.id);
		expect(same?.speed).toBeCloseTo((smol?.speed ?? 0) * 100, 6);
	});
});

describe('ModelStore', () => {
	test('loads a model: variants, header, fit at a chosen context', async () => {
		const store = new ModelStore(deps(), { device });
		await store.load('Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
		expect(store.status).toBe('ready');
		expect(store.access).toBe('granted');
		expect(store.header?.blockCount).toBe(28);
		expect(store.readme).toContain('Qwen');
		await until(() => store.device !== null);
		const q4 = store.variants.find((v) => v.recommended);
		if (!q4) throw new Error('no recommended variant');
		expect(store.fitOf(q4)?.kvCacheBytes).toBe((224 * hub.MiB * 34) / 64);
		store.setContextLength(32768);
		expect(store.fitOf(q4)?.kvCacheBytes).toBe((1.75 * hub.GiB * 34) / 64);
	});

	test('gated repo without a grant asks for access; the header waits for it', async () => {
		const store = new ModelStore(deps(BOB), { device });
		await store.load('citrate-test/gated-llama-GGUF');
		expect(store.access).toBe('request-access');
		expect(store.headerError?.code).toBe('HUB_GATED');
		expect(store.hubPageUrl).toBe(`${hubUrl}/citrate-test/gated-llama-GGUF`);
	});

	test('a bad or missing repo is an error state', async () => {
		const store = new ModelStore(deps(), { device });
		await store.load('citrate-test/nope-GGUF');
		expect(store.status).toBe('error');
		expect(store.error?.code).toBe('HUB_NOT_FOUND');
	});
});
