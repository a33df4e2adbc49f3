/** The Hub's wire format as the emulator sends it: headers, CORS, errors, paging, expand. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALICE_TOKEN, bearer, BOB_TOKEN, startTestHub } from './helpers';
import type { HubEmulator } from './server';

let hub: HubEmulator;
let hubUrl: string;

beforeAll(async () => {
	hub = await startTestHub();
	hubUrl = hub.hubUrl;
}, 120_000);
afterAll(() => hub?.close());

const json = async <T>(res: Response) => (await res.json()) as T;

describe('models API', () => {
	test('cursor paging with Link rel="next" walks every GGUF repo exactly once', async () => {
		const seen: string[] = [];
		let url: string | undefined = `${hubUrl}/api/models?filter=gguf&sort=likes&limit=7`;
		let pages = 0;
		while (url) {
			const res: Response = await fetch(url);
			expect(res.status).toBe(200);
			seen.push(...(await json<{ id: string }[]>(res)).map((m) => m.id));
			const link: string | null = res.headers.get('link');
			url = link ? /<([^>]+)>;\s*rel="next"/.exec(link)![1] : undefined;
			pages++;
		}
		expect(pages).toBeGreaterThan(8);
		expect(new Set(seen).size).toBe(seen.length);
		const all = await json<{ id: string; likes: number }[]>(
			await fetch(`${hubUrl}/api/models?filter=gguf&sort=likes&limit=1000`)
		);
		expect(seen).toEqual(all.map((m) => m.id));
		const likes = all.map((m) => m.likes);
		expect(likes).toEqual([...likes].sort((a, b) => b - a));
	});

	test('expand and expand[] pick fields; full adds siblings; gguf is expandable', async () => {
		const a = await json<Record<string, unknown>[]>(
			await fetch(`${hubUrl}/api/models?search=tiny-llama-GGUF&expand[]=gguf&expand[]=downloads`)
		);
		expect(Object.keys(a[0]!).sort()).toEqual(['_id', 'downloads', 'gguf', 'id']);
		expect(a[0]!.gguf).toMatchObject({ architecture: 'llama', context_length: 2048 });
		const b = await json<Record<string, unknown>[]>(
			await fetch(`${hubUrl}/api/models?author=TheBloke&full=true&limit=1`)
		);
		expect(b[0]!.siblings).toEqual(expect.arrayContaining([{ rfilename: 'README.md' }]));
		const bad = await fetch(`${hubUrl}/api/models?expand=nonsense`);
		expect(bad.status).toBe(400);
		const p = await json<{ pipeline_tag: string }[]>(
			await fetch(`${hubUrl}/api/models?pipeline_tag=image-text-to-text&expand=pipeline_tag`)
		);
		expect(p.length).toBeGreaterThan(0);
		for (const m of p) expect(m.pipeline_tag).toBe('image-text-to-text');
	});

	test('model info with blobs=true has sizes and lfs; revision is the commit', async () => {
		const info = await json<{
			sha: string;
			siblings: { rfilename: string; size: number; lfs?: { sha256: string; size: number } }[];
		}>(await fetch(`${hubUrl}/api/models/citrate-test/tiny-llama-GGUF?blobs=true`));
		const q8 = info.siblings.find((s) => s.rfilename === 'tiny-llama-Q8_0.gguf')!;
		expect(q8.lfs?.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(q8.size).toBe(q8.lfs!.size);
		const byRev = await fetch(
			`${hubUrl}/api/models/citrate-test/tiny-llama-GGUF/revision/${info.sha}`
		);
		expect((await json<{ sha: string }>(byRev)).sha).toBe(info.sha);
		const missing = await fetch(`${hubUrl}/api/models/citrate-test/tiny-llama-GGUF/revision/v9`);
		expect(missing.status).toBe(404);
		expect(missing.headers.get('x-error-code')).toBe('RevisionNotFound');
	});

	test('cardData is the model card front matter', async () => {
		const gated = await json<{ cardData: Record<string, unknown> }>(
			await fetch(`${hubUrl}/api/models/citrate-test/gated-llama-GGUF`)
		);
		expect(gated.cardData.extra_gated_prompt).toMatch(/tests only/);
		const qwen = await json<{ cardData: Record<string, unknown> }>(
			await fetch(`${hubUrl}/api/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF?expand=cardData`)
		);
		expect(qwen.cardData).toMatchObject({
			license: 'apache-2.0',
			base_model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
			quantized_by: 'Qwen'
		});
		expect(qwen.cardData.tags).toContain('code');
	});

	test('tree pages with Link, paths-info takes JSON or a form', async () => {
		const repo = 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF';
		const first = await fetch(`${hubUrl}/api/models/${repo}/tree/main?recursive=true&limit=5`);
		const page = await json<{ path: string; type: string }[]>(first);
		expect(page).toHaveLength(5);
		expect(first.headers.get('link')).toMatch(/rel="next"/);
		const info = await fetch(`${hubUrl}/api/models/${repo}/paths-info/main`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				paths: ['Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', 'nope'],
				expand: true
			})
		});
		const entries = await json<{ path: string; lfs: { oid: string }; lastCommit: unknown }[]>(info);
		expect(entries).toHaveLength(1);
		expect(entries[0]!.lastCommit).toBeTruthy();
		const form = await fetch(`${hubUrl}/api/models/${repo}/paths-info/main`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'paths=README.md&paths=.gitattributes'
		});
		expect((await json<unknown[]>(form)).length).toBe(2);
		const nope = await fetch(`${hubUrl}/api/models/${repo}/tree/main/nope`);
		expect(nope.headers.get('x-error-code')).toBe('EntryNotFound');
	});

	test('auth-check answers the gated and not-found errors', async () => {
		const check = (repo: string, token?: string) =>
			fetch(`${hubUrl}/api/models/${repo}/auth-check`, { headers: token ? bearer(token) : {} });
		expect((await check('citrate-test/tiny-llama-GGUF')).status).toBe(200);
		expect((await check('citrate-test/gated-llama-GGUF')).status).toBe(401);
		expect((await check('citrate-test/gated-llama-GGUF', BOB_TOKEN)).status).toBe(403);
		expect((await check('citrate-test/gated-llama-GGUF', ALICE_TOKEN)).status).toBe(200);
		expect((await check('alice/private-llama-GGUF', BOB_TOKEN)).status).toBe(404);
	});

	test('CORS: the hub echoes the Origin and exposes the Hub headers; preflights pass', async () => {
		const origin = 'http://localhost:4310';
		const res = await fetch(`${hubUrl}/api/models?limit=1`, { headers: { origin } });
		expect(res.headers.get('access-control-allow-origin')).toBe(origin);
		expect(res.headers.get('vary')).toMatch(/Origin/);
		expect(res.headers.get('access-control-expose-headers')).toContain('X-Linked-ETag');
		const pre = await fetch(`${hubUrl}/api/models`, {
			method: 'OPTIONS',
			headers: {
				origin,
				'access-control-request-method': 'GET',
				'access-control-request-headers': 'authorization'
			}
		});
		expect(pre.status).toBe(204);
		expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
		expect(res.headers.get('ratelimit')).toMatch(/^"api";r=\d+;t=\d+$/);
	});

	test('model and profile pages exist for the links the app shows', async () => {
		const page = await fetch(`${hubUrl}/citrate-test/tiny-llama-GGUF`);
		expect(page.headers.get('content-type')).toMatch(/text\/html/);
		expect(await page.text()).toContain('tiny-llama-Q4_K_M.gguf');
		expect((await fetch(`${hubUrl}/alice/private-llama-GGUF`)).status).toBe(404);
		expect(await (await fetch(`${hubUrl}/alice`)).text()).toContain('Alice Liddell');
	});

	test('whoami-v2 and bad tokens', async () => {
		const me = await json<Record<string, unknown>>(
			await fetch(`${hubUrl}/api/whoami-v2`, { headers: bearer(BOB_TOKEN) })
		);
		expect(me).toMatchObject({ type: 'user', name: 'bob', isPro: true, orgs: [] });
		const anon = await fetch(`${hubUrl}/api/whoami-v2`);
		expect(anon.status).toBe(401);
		const bad = await fetch(`${hubUrl}/api/models?limit=1`, { headers: bearer('hf_nope') });
		expect(bad.status).toBe(401);
	});
});

describe('resolve', () => {
	test('LFS: 302 to the CDN with the Hub headers and no token in the URL', async () => {
		const info = await json<{
			sha: string;
			siblings: { rfilename: string; lfs?: { sha256: string }; size: number }[];
		}>(await fetch(`${hubUrl}/api/models/citrate-test/gated-llama-GGUF?blobs=true`));
		const file = info.siblings.find((s) => s.rfilename === 'tiny-llama-Q8_0.gguf')!;
		const res = await fetch(
			`${hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`,
			{ headers: { ...bearer(ALICE_TOKEN), origin: 'http://localhost:4310' }, redirect: 'manual' }
		);
		expect(res.status).toBe(302);
		const location = res.headers.get('location')!;
		expect(new URL(location).origin).not.toBe(hubUrl);
		expect(location).not.toContain(ALICE_TOKEN);
		expect(res.headers.get('x-repo-commit')).toBe(info.sha);
		expect(res.headers.get('x-linked-size')).toBe(String(file.size));
		expect(res.headers.get('x-linked-etag')).toBe(`"${file.lfs!.sha256}"`);
		expect(res.headers.get('etag')).toBeTruthy();
		expect(res.headers.get('accept-ranges')).toBe('bytes');
		expect(res.headers.get('ratelimit')).toMatch(/^"resolvers";r=\d+;t=\d+$/);
		expect(res.headers.get('ratelimit-policy')).toBe('"fixed window";"resolvers";q=3000;w=300');

		const cdn = await fetch(location, {
			headers: { Range: 'bytes=10-19', origin: 'http://x.test' }
		});
		expect(cdn.status).toBe(206);
		expect(cdn.headers.get('content-range')).toBe(`bytes 10-19/${file.size}`);
		expect(cdn.headers.get('access-control-allow-origin')).toBe('*');
		expect(cdn.headers.get('access-control-expose-headers')).toContain('Content-Range');
		expect((await cdn.arrayBuffer()).byteLength).toBe(10);
		const tampered = await fetch(location.replace('Signature=', 'Signature=x'));
		expect(tampered.status).toBe(403);
		const etag = cdn.headers.get('etag')!;
		expect((await fetch(location, { headers: { 'If-None-Match': etag } })).status).toBe(304);
		const same = await fetch(location, { headers: { Range: 'bytes=0-0', 'If-Range': etag } });
		expect(same.status).toBe(206);
		const stale = await fetch(location, { headers: { Range: 'bytes=0-0', 'If-Range': '"old"' } });
		expect(stale.status).toBe(200);
		expect((await stale.arrayBuffer()).byteLength).toBe(file.size);
		const malformed = await fetch(`${hubUrl}/citrate-test/tiny-llama-GGUF/resolve/main/%E0%A4%A`);
		expect(malformed.status).toBe(400);
	});

	test('small files: 307 to a relative /api/resolve-cache URL', async () => {
		const res = await fetch(`${hubUrl}/citrate-test/tiny-llama-GGUF/resolve/main/README.md`, {
			redirect: 'manual'
		});
		expect(res.status).toBe(307);
		expect(res.headers.get('location')).toMatch(
			/^\/api\/resolve-cache\/models\/citrate-test\/tiny-llama-GGUF\/[0-9a-f]{40}\/README\.md\?/
		);
	});

	test('gated, private and missing answers carry the Hub error headers', async () => {
		const url = `${hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`;
		const anon = await fetch(url, { redirect: 'manual' });
		expect(anon.status).toBe(401);
		expect(anon.headers.get('x-error-code')).toBe('GatedRepo');
		expect(anon.headers.get('x-error-message')).toBe(
			'Access to model citrate-test/gated-llama-GGUF is restricted. You must have access to it and be authenticated to access it. Please log in.'
		);
		expect(anon.headers.get('www-authenticate')).toBe(
			'Bearer realm="Authentication required", charset="UTF-8"'
		);
		const bob = await fetch(url, { headers: bearer(BOB_TOKEN), redirect: 'manual' });
		expect(bob.status).toBe(403);
		expect(bob.headers.get('x-error-message')).toBe(
			'Access to model citrate-test/gated-llama-GGUF is restricted and you are not in the authorized list. Visit https://huggingface.co/citrate-test/gated-llama-GGUF to ask for access.'
		);
		const priv = await fetch(
			`${hubUrl}/alice/private-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`,
			{
				redirect: 'manual'
			}
		);
		expect(priv.status).toBe(401);
		expect(priv.headers.get('x-error-message')).toBe('Invalid username or password.');
		const missing = await fetch(`${hubUrl}/citrate-test/tiny-llama-GGUF/resolve/main/nope.gguf`, {
			redirect: 'manual'
		});
		expect(missing.status).toBe(404);
		expect(missing.headers.get('x-error-code')).toBe('EntryNotFound');
		const rev = await fetch(
			`${hubUrl}/citrate-test/tiny-llama-GGUF/resolve/v0/tiny-llama-Q8_0.gguf`,
			{
				redirect: 'manual'
			}
		);
		expect(rev.headers.get('x-error-code')).toBe('RevisionNotFound');
	});

	test('virtual files serve their real header and deterministic bytes by Range', async () => {
		const url = `${hubUrl}/TheBloke/CodeLlama-7B-Instruct-GGUF/resolve/main/codellama-7b-instruct.Q4_K_M.gguf`;
		const a = await fetch(url, { headers: { Range: 'bytes=3000000000-3000000015' } });
		const b = await fetch(url, { headers: { Range: 'bytes=3000000008-3000000015' } });
		expect(a.status).toBe(206);
		const ab = new Uint8Array(await a.arrayBuffer());
		const bb = new Uint8Array(await b.arrayBuffer());
		expect([...ab.subarray(8)]).toEqual([...bb]);
		const head = await fetch(url, { headers: { Range: 'bytes=0-3' } });
		expect(await head.text()).toBe('GGUF');
	});
});
