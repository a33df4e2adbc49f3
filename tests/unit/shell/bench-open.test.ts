/**
 * `npm run bench:inference` must exit non-zero, never hang, when its page fails to load: a module
 * that does not transform (Vite answers 500), an error thrown at start, a missing module.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBenchPage } from '../../../bench/inference-open';
import { CHROMIUM_ARGS, findChromium } from '../../../scripts/chromium-path.mjs';

const page = (module: string) =>
	`<!doctype html><title>bench</title><p id="state">loading</p><script type="module" src="${module}"></script>`;
const READY = `document.getElementById('state').textContent = 'ready';`;

let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
	server = createServer((req, res) => {
		const path = req.url ?? '/';
		const send = (status: number, type: string, body: string) => {
			res.writeHead(status, { 'content-type': type });
			res.end(body);
		};
		if (path.endsWith('.html')) return send(200, 'text/html', page(path.replace('.html', '.js')));
		if (path === '/good.js') return send(200, 'text/javascript', READY);
		if (path === '/slow-good.js') return setTimeout(() => send(200, 'text/javascript', READY), 300);
		if (path === '/transform-error.js')
			return send(500, 'text/plain', 'Internal server error: Transform failed with 1 error');
		if (path === '/throws.js') return send(200, 'text/javascript', `throw new Error('boom');`);
		return send(404, 'text/plain', 'not found');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
	await browser?.close();
	await new Promise((resolve) => server.close(resolve));
});

describe('openBenchPage', () => {
	// A generous wait for "ready": each failure below must end long before it.
	const WAIT_MS = 45_000;
	const open = async (name: string) => {
		const p = await browser.newPage();
		const started = Date.now();
		try {
			await openBenchPage(p, `${origin}/${name}.html`, WAIT_MS);
			return { ok: true as const, ms: Date.now() - started };
		} catch (error) {
			return { ok: false as const, ms: Date.now() - started, message: String(error) };
		} finally {
			await p.close();
		}
	};

	test('resolves when the page says ready', { timeout: 60_000 }, async () => {
		expect((await open('good')).ok).toBe(true);
		expect((await open('slow-good')).ok).toBe(true);
	});

	test('fails fast when the page module does not transform', { timeout: 60_000 }, async () => {
		const result = await open('transform-error');
		expect(result.ok).toBe(false);
		expect(result.ms).toBeLessThan(WAIT_MS);
		expect(result).toMatchObject({
			message: expect.stringMatching(/transform-error\.js answered HTTP 500/)
		});
	});

	test('fails fast on a missing module or an error at start', { timeout: 60_000 }, async () => {
		const missing = await open('missing');
		expect(missing).toMatchObject({ ok: false, message: expect.stringMatching(/HTTP 404/) });
		expect(missing.ms).toBeLessThan(WAIT_MS);
		const throws = await open('throws');
		expect(throws).toMatchObject({
			ok: false,
			message: expect.stringMatching(/uncaught error in the page: boom/)
		});
		expect(throws.ms).toBeLessThan(WAIT_MS);
	});
});
