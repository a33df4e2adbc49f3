import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The app shell: isolation, service worker, offline, accessibility, manifest, phone width, updates. */

const BUILD_DIR = process.env.E2E_BUILD_DIR ?? 'build-e2e';
const MODEL_ID = 'citrate-test/tiny-llama-GGUF';
const ROUTES = [
	'/',
	'/models',
	`/models/${MODEL_ID}`,
	'/library',
	'/settings',
	'/receive',
	'/auth/callback'
];

/** Waits until the page's service worker is active and controls it. */
async function waitForController(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (navigator.serviceWorker.controller) return;
		await new Promise((resolve) =>
			navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })
		);
	});
}

/** Every route renders its page heading inside the shell. */
async function expectRouteRendered(page: Page, route: string): Promise<void> {
	await expect(page.getByRole('navigation', { name: 'Main' }), route).toBeVisible();
	await expect(page.locator('main h1').first(), route).toBeVisible();
}

/** A second server over a copy of the build, so a test can change files (a new version). */
async function startCopyServer(extraArgs: string[] = []) {
	const dir = mkdtempSync(join(tmpdir(), 'citrate-e2e-shell-'));
	cpSync(BUILD_DIR, dir, { recursive: true });
	const child: ChildProcess = spawn(
		process.execPath,
		['scripts/serve.mjs', '--dir', dir, '--port', '0', ...extraArgs],
		{ stdio: ['ignore', 'pipe', 'inherit'] }
	);
	const origin = await new Promise<string>((resolve, reject) => {
		let out = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const match = /at (http:\/\/\S+?)\/?\s/.exec(out);
			if (match?.[1]) resolve(match[1]);
		});
		child.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
	});
	return {
		origin,
		dir,
		async close() {
			child.kill('SIGTERM');
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

test('the built app is cross-origin isolated and the service worker controls it', async ({
	page
}) => {
	await page.goto('/');
	await expectRouteRendered(page, '/');
	expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
	await waitForController(page);
	await page.reload();
	await expectRouteRendered(page, '/');
	expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(
		/\/service-worker\.js$/
	);
	expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
	// The precache holds the app shell and wllama's wasm, so chat works offline.
	const precached = await page.evaluate(async () => {
		const urls: string[] = [];
		for (const name of await caches.keys())
			for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
		return urls.map((url) => new URL(url).pathname);
	});
	expect(precached).toContain('/index.html');
	expect(
		precached.some((path) => /\/_app\/immutable\/assets\/wllama\.[^/]+\.wasm$/.test(path))
	).toBe(true);
	expect(precached).toContain('/manifest.webmanifest');
});

test('offline, a reload still renders every route', async ({ page, context }) => {
	await page.goto('/');
	await waitForController(page);
	await context.setOffline(true);
	try {
		for (const route of ROUTES) {
			await page.goto(route);
			await expectRouteRendered(page, route);
			expect(await page.evaluate(() => crossOriginIsolated), route).toBe(true);
			await page.reload();
			await expectRouteRendered(page, route);
		}
		await expect(page.getByText('Offline', { exact: true })).toBeVisible();
		// In-app navigation works offline too.
		await page.getByRole('link', { name: 'Library' }).click();
		await expect(page).toHaveURL(/\/library$/);
		await expect(page.getByRole('link', { name: 'Library' })).toHaveAttribute(
			'aria-current',
			'page'
		);
	} finally {
		await context.setOffline(false);
	}
});

/** The page's background colour, which follows the theme (`--c-bg`). */
const LIGHT_BG = 'rgb(251, 250, 247)';
const DARK_BG = 'rgb(20, 18, 16)';
const background = (page: Page) =>
	page.evaluate(() => getComputedStyle(document.body).backgroundColor);

for (const colorScheme of ['light', 'dark'] as const) {
	test(`axe finds no violations on any route (${colorScheme} theme)`, async ({ page }) => {
		await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
		for (const route of ROUTES) {
			await page.goto(route);
			await expectRouteRendered(page, route);
			// Let data-driven content (Hub requests against the emulator) settle.
			await page.waitForLoadState('networkidle').catch(() => {});
			expect(await background(page), route).toBe(colorScheme === 'dark' ? DARK_BG : LIGHT_BG);
			const results = await new AxeBuilder({ page })
				.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
				.analyze();
			const summary = results.violations.map(
				(v) => `${v.id}: ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
			);
			expect(summary, `${route} (${colorScheme})`).toEqual([]);
		}
	});
}

test('the theme toggle switches theme and the choice survives a reload (IndexedDB)', async ({
	page
}) => {
	await page.emulateMedia({ colorScheme: 'light' });
	await page.goto('/settings');
	expect(await background(page)).toBe(LIGHT_BG);
	await page.getByRole('button', { name: 'Switch to dark theme' }).click();
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
	await expect.poll(() => background(page)).toBe(DARK_BG);
	await expect(page.getByRole('button', { name: 'Switch to light theme' })).toBeVisible();
	await page.reload();
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
	await expect(page.getByRole('button', { name: 'Switch to light theme' })).toBeVisible();
	const stored = await page.evaluate(
		() =>
			new Promise<unknown>((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const get = open.result.transaction('settings').objectStore('settings').get('theme');
					get.onsuccess = () => {
						resolve((get.result as { value?: unknown } | undefined)?.value);
						open.result.close();
					};
				};
			})
	);
	expect(stored).toBe('dark');
	const webStorageKeys = await page.evaluate(() => [
		...Object.keys(localStorage),
		...Object.keys(sessionStorage)
	]);
	expect(webStorageKeys.filter((key) => /theme/i.test(key))).toEqual([]);

	// Settings → Appearance → "Same as the system" follows prefers-color-scheme again.
	const select = page.getByRole('combobox', { name: 'Theme' });
	await expect(select).toHaveValue('dark');
	await select.selectOption('system');
	await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.+/);
	await expect(page.getByRole('button', { name: 'Switch to dark theme' })).toBeVisible();
	await expect.poll(() => background(page)).toBe(LIGHT_BG);
	await page.emulateMedia({ colorScheme: 'dark' });
	await expect(page.getByRole('button', { name: 'Switch to light theme' })).toBeVisible();
	await expect.poll(() => background(page)).toBe(DARK_BG);

	// An explicit light choice wins over a dark system.
	await select.selectOption('light');
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
	await expect.poll(() => background(page)).toBe(LIGHT_BG);
});

test('the web manifest is valid and its icons load', async ({ page, request }) => {
	await page.goto('/');
	const href = await page.locator('link[rel="manifest"]').getAttribute('href');
	expect(href).toBe('/manifest.webmanifest');
	const response = await request.get('/manifest.webmanifest');
	expect(response.ok()).toBe(true);
	expect(response.headers()['content-type']).toContain('application/manifest+json');
	const manifest = (await response.json()) as {
		name: string;
		short_name: string;
		start_url: string;
		display: string;
		theme_color: string;
		background_color: string;
		icons: { src: string; sizes: string; type: string; purpose?: string }[];
	};
	expect(manifest).toMatchObject({ short_name: 'Citrate', start_url: '/', display: 'standalone' });
	expect(manifest.name).toContain('Citrate');
	expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
	expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
	const purposes = new Set(manifest.icons.map((icon) => `${icon.sizes}:${icon.purpose ?? 'any'}`));
	for (const needed of ['192x192:any', '512x512:any', '192x192:maskable', '512x512:maskable'])
		expect(purposes, needed).toContain(needed);
	for (const icon of manifest.icons) {
		const file = await request.get(icon.src);
		expect(file.ok(), icon.src).toBe(true);
		expect(file.headers()['content-type'], icon.src).toContain(icon.type);
		const body = await file.body();
		if (icon.type === 'image/png') {
			// PNG signature, then IHDR width and height.
			expect(body.subarray(1, 4).toString('latin1'), icon.src).toBe('PNG');
			const [width, height] = icon.sizes.split('x').map(Number);
			expect(body.readUInt32BE(16), icon.src).toBe(width);
			expect(body.readUInt32BE(20), icon.src).toBe(height);
		} else {
			expect(body.toString('utf8'), icon.src).toContain('<svg');
		}
	}
});

test('at 360 px nothing overflows horizontally and the nav is a bottom bar', async ({ page }) => {
	await page.setViewportSize({ width: 360, height: 740 });
	for (const route of ROUTES) {
		await page.goto(route);
		await expectRouteRendered(page, route);
		await page.waitForLoadState('networkidle').catch(() => {});
		const overflow = await page.evaluate(() => {
			const root = document.documentElement;
			// Elements past the right edge that are not inside a horizontal scroller of their own.
			const inScroller = (el: Element) => {
				for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
					if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
				return false;
			};
			const wide = [...document.querySelectorAll('body *')]
				.filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
				.filter((el) => !inScroller(el) || getComputedStyle(el).position === 'absolute')
				.slice(0, 5)
				.map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
			return { scroll: root.scrollWidth, client: root.clientWidth, wide };
		});
		expect(overflow.scroll, `${route}: ${overflow.wide.join(', ')}`).toBeLessThanOrEqual(
			overflow.client
		);
	}
	const nav = page.getByRole('navigation', { name: 'Main' });
	const box = await nav.boundingBox();
	expect(box && box.y + box.height).toBeGreaterThan(700);
	for (const name of ['Chat', 'Models', 'Library', 'Settings'])
		await expect(nav.getByRole('link', { name })).toBeVisible();
});

test('on a static host without COOP/COEP the service worker makes the app isolated', async ({
	page
}) => {
	const server = await startCopyServer(['--no-isolation']);
	try {
		await page.goto(`${server.origin}/models`);
		await expectRouteRendered(page, '/models');
		// The server sent no isolation headers: the first, uncontrolled load is not isolated.
		expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
		await waitForController(page);
		await page.reload();
		await expectRouteRendered(page, '/models');
		expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
	} finally {
		await server.close();
	}
});

test('a new version waits, the banner offers a reload, and models and chats survive it', async ({
	page
}) => {
	const server = await startCopyServer();
	try {
		await page.goto(`${server.origin}/`);
		await waitForController(page);
		// User data in IndexedDB and OPFS, which an update must not touch.
		await page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			await new Promise<void>((resolve, reject) => {
				const tx = db.transaction('settings', 'readwrite');
				tx.objectStore('settings').put({ key: 'e2e-marker', value: 'kept' });
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error);
			});
			db.close();
			const root = await navigator.storage.getDirectory();
			const handle = await root.getFileHandle('e2e-marker.txt', { create: true });
			const writable = await handle.createWritable();
			await writable.write('model bytes');
			await writable.close();
		});
		await expect(page.getByRole('region', { name: 'Update available' })).toHaveCount(0);

		// Deploy a new version: the service worker script changes by a byte.
		appendFileSync(join(server.dir, 'service-worker.js'), '\n// e2e: a new version\n');
		await page.evaluate(async () => {
			const registration = await navigator.serviceWorker.getRegistration();
			await registration?.update();
		});
		const banner = page.getByRole('region', { name: 'Update available' });
		await expect(banner).toContainText('A new version of Citrate is available');
		// The new worker waits; the old one still controls the page.
		expect(
			await page.evaluate(async () => {
				const registration = await navigator.serviceWorker.getRegistration();
				return registration?.waiting?.state;
			})
		).toBe('installed');

		await page.evaluate(() => {
			(window as unknown as { beforeUpdate: boolean }).beforeUpdate = true;
		});
		await banner.getByRole('button', { name: 'Reload' }).click();
		await page.waitForFunction(
			() => !(window as unknown as { beforeUpdate?: boolean }).beforeUpdate
		);
		await expectRouteRendered(page, '/');
		await expect(page.getByRole('region', { name: 'Update available' })).toHaveCount(0);
		const after = await page.evaluate(async () => {
			const registration = await navigator.serviceWorker.getRegistration();
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			const marker = await new Promise<unknown>((resolve) => {
				const get = db.transaction('settings').objectStore('settings').get('e2e-marker');
				get.onsuccess = () => resolve((get.result as { value?: unknown } | undefined)?.value);
			});
			db.close();
			const root = await navigator.storage.getDirectory();
			const file = await (await root.getFileHandle('e2e-marker.txt')).getFile();
			return {
				waiting: registration?.waiting ?? null,
				controlled: navigator.serviceWorker.controller !== null,
				marker,
				file: await file.text()
			};
		});
		expect(after).toEqual({ waiting: null, controlled: true, marker: 'kept', file: 'model bytes' });
	} finally {
		await server.close();
	}
});

test('an unknown path shows a clear not-found page inside the shell', async ({ page }) => {
	await page.goto('/no/such/page');
	await expect(page.getByRole('heading', { name: 'This page does not exist' })).toBeVisible();
	await expect(page.getByText('Nothing lives at /no/such/page.')).toBeVisible();
	await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
	expect(results.violations.map((v) => v.id)).toEqual([]);
	await page.getByRole('link', { name: 'Back to chat' }).click();
	await expect(page).toHaveURL(/\/$/);
});
