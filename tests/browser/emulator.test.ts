import { expect, inject, test } from 'vitest';

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
	expect(new TextDecoder().decode(await file.arrayBuffer())).toBe('GGUF');
});
