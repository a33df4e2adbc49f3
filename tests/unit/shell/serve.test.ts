import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	cacheControl,
	createStaticServer,
	parseArgs,
	resolveFile
} from '../../../scripts/serve.mjs';

let dir: string;
let server: Server;
let origin: string;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'citrate-serve-'));
	mkdirSync(join(dir, '_app/immutable/chunks'), { recursive: true });
	writeFileSync(join(dir, 'index.html'), '<!doctype html><title>shell</title>');
	writeFileSync(join(dir, '_app/immutable/chunks/a.js'), `export const a = "${'x'.repeat(4000)}";`);
	writeFileSync(join(dir, '_app/immutable/w.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
	writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Citrate"}');
	writeFileSync(join(dir, 'service-worker.js'), 'void 0;');
	writeFileSync(join(dir, 'secret.txt'), 'outside');
	server = createStaticServer({ dir: join(dir), gzip: true });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	rmSync(dir, { recursive: true, force: true });
});

describe('serve.mjs', () => {
	it('parses its arguments and rejects unknown ones', () => {
		expect(parseArgs(['--dir', 'out', '--port', '0', '--build', '--no-isolation'])).toMatchObject({
			dir: 'out',
			port: 0,
			build: true,
			isolation: false
		});
		expect(() => parseArgs(['--nope'])).toThrow(/unknown/);
		expect(() => parseArgs(['--port', 'abc'])).toThrow(/port/);
	});

	it('caches hashed files forever and revalidates the rest', () => {
		expect(cacheControl('/_app/immutable/chunks/a.js')).toContain('immutable');
		expect(cacheControl('/service-worker.js')).toBe('no-cache');
		expect(cacheControl('/index.html')).toBe('no-cache');
		expect(cacheControl('/manifest.webmanifest')).toContain('must-revalidate');
	});

	it('never resolves outside its folder and 404s missing assets instead of the shell', () => {
		expect(resolveFile(join(dir, '_app'), '/../secret.txt')).toBeNull();
		expect(resolveFile(dir, '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
		expect(resolveFile(dir, '/_app/immutable/missing.js')).toBeNull();
		expect(resolveFile(dir, '/icons/missing.png')).toBeNull();
		expect(resolveFile(dir, '/icons/missing.png', true)?.fallback).toBe(true);
		expect(resolveFile(dir, '/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF')).toEqual({
			path: join(dir, 'index.html'),
			fallback: true
		});
	});

	it('serves the SPA shell for every route with isolation headers', async () => {
		for (const path of [
			'/',
			'/models',
			'/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF',
			'/models/TheBloke/model.gguf',
			'/auth/callback?code=x&state=y'
		]) {
			const response = await fetch(origin + path, { headers: { accept: 'text/html' } });
			expect(response.status, path).toBe(200);
			expect(response.headers.get('content-type')).toContain('text/html');
			expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
			expect(response.headers.get('cross-origin-embedder-policy')).toBe('credentialless');
			expect(await response.text()).toContain('<title>shell</title>');
		}
	});

	it('sends correct MIME types, caching and gzip', async () => {
		const wasm = await fetch(`${origin}/_app/immutable/w.wasm`);
		expect(wasm.headers.get('content-type')).toBe('application/wasm');
		expect(wasm.headers.get('cache-control')).toContain('immutable');
		const manifest = await fetch(`${origin}/manifest.webmanifest`);
		expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
		const sw = await fetch(`${origin}/service-worker.js`);
		expect(sw.headers.get('content-type')).toContain('text/javascript');
		expect(sw.headers.get('cache-control')).toBe('no-cache');
		const missing = await fetch(`${origin}/_app/immutable/chunks/nope.js`);
		expect(missing.status).toBe(404);

		const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>(
			(resolve, reject) => {
				import('node:http')
					.then(({ get }) =>
						get(
							`${origin}/_app/immutable/chunks/a.js`,
							{ headers: { 'accept-encoding': 'gzip' } },
							(response) => {
								const chunks: Buffer[] = [];
								response.on('data', (chunk: Buffer) => chunks.push(chunk));
								response.on('end', () =>
									resolve({
										encoding: response.headers['content-encoding'],
										body: Buffer.concat(chunks)
									})
								);
							}
						).on('error', reject)
					)
					.catch(reject);
			}
		);
		expect(raw.encoding).toBe('gzip');
		expect(gunzipSync(raw.body).toString()).toContain('export const a');
	});

	it('forbids framing by any site on every answer (pages, assets, 404s)', async () => {
		for (const path of ['/', '/settings', '/_app/immutable/w.wasm', '/_app/immutable/nope.js']) {
			const response = await fetch(origin + path, { headers: { accept: 'text/html' } });
			expect(response.headers.get('content-security-policy'), path).toBe("frame-ancestors 'none'");
			expect(response.headers.get('x-frame-options'), path).toBe('DENY');
		}
	});

	it('refuses methods other than GET and HEAD', async () => {
		expect((await fetch(`${origin}/`, { method: 'POST' })).status).toBe(405);
	});
});
