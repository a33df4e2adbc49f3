/** The Hub emulator as a browser sees it: CORS, the cross-origin CDN redirect, Range, tokens. */
import { expect, inject, test } from 'vitest';

const ALICE = 'hf_AliceReadToken0123456789abcdefghij';

test('the Hub emulator is reachable from the browser, with CORS and the CDN redirect', async () => {
	const hubUrl = inject('hubUrl');
	const res = await fetch(`${hubUrl}/api/models?filter=gguf&search=tiny-llama&limit=50`);
	expect(res.ok).toBe(true);
	const ids = ((await res.json()) as { id: string }[]).map((m) => m.id);
	expect(ids).toContain('citrate-test/tiny-llama-GGUF');

	const file = await fetch(
		`${hubUrl}/citrate-test/tiny-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`,
		{ headers: { Range: 'bytes=0-3' } }
	);
	expect(file.status).toBe(206);
	expect(new URL(file.url).origin).toBe(inject('cdnUrl'));
	expect(file.headers.get('content-range')).toMatch(/^bytes 0-3\/\d+$/);
	expect(new TextDecoder().decode(await file.arrayBuffer())).toBe('GGUF');
});

test('a gated file with a token: preflight, redirect, and the token stays on the hub', async () => {
	const hubUrl = inject('hubUrl');
	const url = `${hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`;
	const anon = await fetch(url, { headers: { Range: 'bytes=0-3' } });
	expect(anon.status).toBe(401);
	expect(anon.headers.get('x-error-code')).toBe('GatedRepo');

	const res = await fetch(url, {
		headers: { Authorization: `Bearer ${ALICE}`, Range: 'bytes=4-7' }
	});
	expect(res.status).toBe(206);
	expect(new URL(res.url).origin).toBe(inject('cdnUrl'));
	expect(res.headers.get('content-range')).toMatch(/^bytes 4-7\/\d+$/);

	const log = (await (await fetch(`${hubUrl}/__emulator/requests`)).json()) as {
		origin: string;
		url: string;
		headers: Record<string, string>;
	}[];
	const cdn = log.filter((r) => r.origin === 'cdn');
	expect(cdn.length).toBeGreaterThan(0);
	for (const r of cdn) {
		expect(r.headers.authorization).toBeUndefined();
		expect(r.url).not.toContain(ALICE);
	}
});

test('a private small file follows the same-origin 307 with the token', async () => {
	const hubUrl = inject('hubUrl');
	const url = `${hubUrl}/alice/private-llama-GGUF/resolve/main/README.md`;
	expect((await fetch(url)).status).toBe(401);
	const res = await fetch(url, { headers: { Authorization: `Bearer ${ALICE}` } });
	expect(res.status).toBe(200);
	expect(new URL(res.url).pathname).toMatch(
		/^\/api\/resolve-cache\/models\/alice\/private-llama-GGUF\//
	);
	expect(await res.text()).toContain('Private Llama GGUF');
});
