import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { emulateTheme } from './theme';

/**
 * Connections the user allows (Settings → "Connections you allowed"): the service worker adds
 * them to `connect-src` of the page it serves. A fetch to a second loopback server is blocked by
 * the CSP before approval, works after "Allow and reload", and is blocked again after Remove +
 * reload; every other directive of the served policy stays byte-identical. (The e2e build's Hub
 * is on loopback, so `http://127.0.0.1:<port>` may be allowed there; a production build refuses.)
 */

let server: Server;
let origin: string;
let hits = 0;

test.beforeAll(async () => {
	server = createServer((request, response) => {
		hits += 1;
		response.writeHead(200, {
			'content-type': 'text/plain',
			'access-control-allow-origin': '*',
			'cross-origin-resource-policy': 'cross-origin'
		});
		response.end('pong');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

async function waitForController(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (navigator.serviceWorker.controller) return;
		await new Promise((resolve) =>
			navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })
		);
	});
}

/** The page's CSP <meta> content, as a map from directive name to its exact text. */
async function policyOf(page: Page): Promise<Map<string, string>> {
	const content = await page
		.locator('meta[http-equiv="content-security-policy" i]')
		.getAttribute('content');
	expect(content, 'the page has a CSP meta').toBeTruthy();
	return new Map(
		content!
			.split(';')
			.map((part) => part.trim())
			.filter(Boolean)
			.map((part) => [part.split(/\s+/)[0]!, part] as [string, string])
	);
}

/** Fetches `url` from the page: 'pong', or the CSP directive that blocked it. */
async function probe(page: Page, url: string): Promise<string> {
	return page.evaluate(async (target) => {
		const violation = new Promise<string>((resolve) =>
			document.addEventListener(
				'securitypolicyviolation',
				(event) => resolve(`blocked by ${event.effectiveDirective}`),
				{ once: true }
			)
		);
		try {
			return await (await fetch(`${target}/ping`, { cache: 'no-store' })).text();
		} catch {
			return await Promise.race([
				violation,
				new Promise<string>((resolve) =>
					setTimeout(() => resolve('failed without a CSP violation'), 10_000)
				)
			]);
		}
	}, url);
}

const section = (page: Page) => page.getByRole('region', { name: 'Connections you allowed' });

test('an origin the user allows joins connect-src after a reload; removing it blocks it again; the rest of the CSP is unchanged', async ({
	page
}) => {
	await page.goto('/settings');
	await waitForController(page);
	await page.reload();
	const original = await policyOf(page);
	expect(original.get('connect-src')).not.toContain(origin);

	hits = 0;
	expect(await probe(page, origin)).toBe('blocked by connect-src');
	expect(hits, 'a blocked request never reaches the server').toBe(0);

	// A hostile value is refused with a message; nothing is stored.
	const input = section(page).getByLabel('Allow a connection');
	await input.fill(`${origin}; script-src *`);
	await section(page).getByRole('button', { name: 'Continue' }).click();
	await expect(input).toHaveAccessibleDescription(/characters an address cannot have/);
	await expect(section(page).getByText('You have not allowed any other connection.')).toBeVisible();

	await input.fill(`${origin}/api/v1`);
	await section(page).getByRole('button', { name: 'Continue' }).click();
	await expect(section(page).getByText(`Allow Citrate to connect to ${origin}?`)).toBeVisible();
	await Promise.all([
		page.waitForEvent('load'),
		section(page).getByRole('button', { name: 'Allow and reload' }).click()
	]);

	const widened = await policyOf(page);
	expect(widened.get('connect-src')).toBe(`${original.get('connect-src')} ${origin}`);
	for (const [name, text] of original)
		if (name !== 'connect-src') expect(widened.get(name), name).toBe(text);
	expect([...widened.keys()]).toEqual([...original.keys()]);

	expect(await probe(page, origin)).toBe('pong');
	expect(hits).toBe(1);
	const row = section(page).getByRole('listitem').filter({ hasText: origin });
	await expect(row.getByText('In use')).toBeVisible();

	// axe and layout with the list and an open prompt, at 1280, 390 and 360 px, in both themes.
	await input.fill('https://pins.example.org/api/v1');
	await section(page).getByRole('button', { name: 'Continue' }).click();
	await expect(
		section(page).getByText('Allow Citrate to connect to https://pins.example.org?')
	).toBeVisible();
	for (const width of [1280, 390, 360])
		for (const theme of ['light', 'dark'] as const) {
			await page.setViewportSize({ width, height: 800 });
			await emulateTheme(page, theme);
			const axe = await new AxeBuilder({ page }).include('#allowed-connections').analyze();
			expect(axe.violations, `Connections you allowed (${width} px, ${theme})`).toEqual([]);
			expect(
				await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
				`no horizontal overflow at ${width} px`
			).toBe(true);
		}
	await section(page).getByRole('button', { name: 'Cancel' }).click();

	await row.getByRole('button', { name: `Remove ${origin}` }).click();
	await expect(section(page).getByText('You have not allowed any other connection.')).toBeVisible();
	// Until the reload, this page still runs under the policy it was loaded with.
	await expect(section(page).getByRole('status')).toContainText('Reload Citrate to apply');
	await Promise.all([
		page.waitForEvent('load'),
		section(page).getByRole('button', { name: 'Reload now' }).click()
	]);
	expect(await policyOf(page)).toEqual(original);
	expect(await probe(page, origin)).toBe('blocked by connect-src');
	expect(hits).toBe(1);
});

test.describe('without a service worker', () => {
	test.use({ serviceWorkers: 'block' });

	test('the approval is stored and the page says it works after a reload', async ({ page }) => {
		await page.goto('/settings');
		await section(page).getByLabel('Allow a connection').fill(origin);
		await section(page).getByRole('button', { name: 'Continue' }).click();
		await section(page).getByRole('button', { name: 'Allow', exact: true }).click();
		await expect(section(page).getByRole('status')).toContainText(
			/not yet served by Citrate’s service worker.*work after a reload/
		);
		await expect(
			section(page).getByRole('listitem').filter({ hasText: origin }).getByText('After reload')
		).toBeVisible();
		hits = 0;
		expect(await probe(page, origin)).toBe('blocked by connect-src');
		expect(hits).toBe(0);
	});
});
