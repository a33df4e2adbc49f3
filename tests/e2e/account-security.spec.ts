import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { createStaticServer } from '../../scripts/serve.mjs';
import { emulateTheme } from './theme';

/**
 * Account and security through the real UI: sign-out revokes the tokens and drops what was cached
 * with them, a token the Hub rejects ends the session at once, short-lived tokens are refreshed
 * ahead without a loop, a callback without `iss` is refused with its own message, the app refuses
 * to run in another site's frame, the CSP lists exact origins, and hostile model cards log nothing.
 */

const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const cdnPort = Number(process.env.E2E_CDN_PORT ?? 8788);
const hubUrl = `http://127.0.0.1:${hubPort}`;
const hubOrigin = new URL(hubUrl).origin;
const GATED = '/models/citrate-test/gated-llama-GGUF';
const BUILD_DIR = process.env.E2E_BUILD_DIR ?? 'build-e2e';

interface EmulatorRequest {
	method: string;
	url: string;
	headers: Record<string, string | string[] | undefined>;
}

async function emulator(method: string, path: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${hubUrl}${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	expect(response.ok, `${method} ${path}`).toBe(true);
	const text = await response.text();
	return text ? JSON.parse(text) : null;
}

const requests = async () => (await emulator('GET', '/__emulator/requests')) as EmulatorRequest[];
const pathOf = (entry: EmulatorRequest) => new URL(entry.url).pathname;

/** The OAuth access token the app used at the Hub (from the emulator's request log). */
async function usedAccessToken(): Promise<string> {
	const bearer = (await requests())
		.map((entry) => entry.headers.authorization)
		.find((value): value is string => typeof value === 'string' && /Bearer hf_oauth_/.test(value));
	expect(bearer, 'the app used an OAuth token').toBeTruthy();
	return bearer!.slice('Bearer '.length);
}

async function signInThroughEmulator(page: Page) {
	await page.getByRole('button', { name: 'Sign in with Hugging Face' }).first().click();
	await expect(page).toHaveURL(new RegExp(`^${hubOrigin}/oauth/interaction/`));
	await page.getByLabel('Username').fill('alice');
	await page.getByLabel('Password').fill('alice-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'Authorize' }).click();
}

const accountButton = (page: Page) =>
	page.getByRole('button', { name: 'Account: Alice Liddell (@alice)' });
const signInButton = (page: Page) =>
	page.getByRole('button', { name: 'Sign in with Hugging Face' }).first();

/** The keys of IndexedDB `hubCache`. */
const hubCacheKeys = (page: Page) =>
	page.evaluate(
		() =>
			new Promise<string[]>((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					const keys = db.transaction('hubCache').objectStore('hubCache').getAllKeys();
					keys.onsuccess = () => {
						db.close();
						resolve(keys.result.map(String));
					};
					keys.onerror = () => reject(keys.error);
				};
			})
	);

test.beforeEach(async () => {
	await emulator('POST', '/__emulator/reset');
	await emulator('DELETE', '/__emulator/requests');
});
test.afterAll(async () => {
	await emulator('POST', '/__emulator/reset');
});

test('sign-out revokes the tokens at the Hub and drops every Hub response fetched with them', async ({
	page
}) => {
	await page.goto(GATED);
	await signInThroughEmulator(page);
	await expect(accountButton(page)).toBeVisible();
	await expect(page.getByRole('region', { name: 'Model card' })).toBeVisible();
	await expect
		.poll(async () => (await hubCacheKeys(page)).filter((key) => key.startsWith('model:')))
		.not.toEqual([]);
	const token = await usedAccessToken();
	const who = () =>
		fetch(`${hubUrl}/api/whoami-v2`, { headers: { Authorization: `Bearer ${token}` } });
	expect((await who()).status).toBe(200);

	// Sign out from Settings (nothing there fetches Hub data again afterwards).
	await page.goto('/settings');
	const account = page.getByRole('region', { name: 'Account' });
	await account.getByRole('button', { name: 'Sign out' }).click();
	await expect(signInButton(page)).toBeVisible();

	// The tokens are dead at the Hub…
	await expect
		.poll(async () =>
			(await requests()).filter(
				(entry) => entry.method === 'POST' && pathOf(entry) === '/oauth/revoke'
			)
		)
		.not.toEqual([]);
	expect((await who()).status).toBe(401);
	// …and nothing fetched with them is left in the cache.
	const left = (await hubCacheKeys(page)).filter((key) => !key.startsWith('search:'));
	expect(left, 'Hub responses fetched with the token').toEqual([]);
	await expect(account.getByText(/access.*revoked at Hugging Face/i)).toBeVisible();
});

test('without a revocation endpoint the account section says where to revoke access on the Hub', async ({
	page
}) => {
	await emulator('POST', '/__emulator/config', { revocation: false });
	const discovery = (await (
		await fetch(`${hubUrl}/.well-known/openid-configuration`)
	).json()) as Record<string, unknown>;
	expect(discovery.revocation_endpoint).toBeUndefined();

	await page.goto('/settings');
	await signInThroughEmulator(page);
	await expect(accountButton(page)).toBeVisible();
	const account = page.getByRole('region', { name: 'Account' });
	const where = account.getByRole('link', { name: /connected applications/i });
	await expect(where).toHaveAttribute('href', `${hubUrl}/settings/connected-applications`);

	await account.getByRole('button', { name: 'Sign out' }).click();
	await expect(signInButton(page)).toBeVisible();
	// After signing out the user is told the access is still there, and where to end it.
	await expect(account.getByRole('status')).toContainText(/still.*Hugging Face/i);
	await expect(account.getByRole('link', { name: /connected applications/i })).toHaveAttribute(
		'href',
		`${hubUrl}/settings/connected-applications`
	);
	expect(
		(await requests()).filter((entry) => pathOf(entry) === '/oauth/revoke'),
		'no revocation request without an advertised endpoint'
	).toEqual([]);
	for (const theme of ['light', 'dark'] as const) {
		await emulateTheme(page, theme);
		const axe = await new AxeBuilder({ page }).include('#account').analyze();
		expect(axe.violations, `the Account section after sign-out (${theme})`).toEqual([]);
	}
});

test('a token the Hub rejects (401) ends the session at once and clears the vault, instead of "not found"', async ({
	page
}) => {
	await page.goto('/library');
	await signInThroughEmulator(page);
	await expect(accountButton(page)).toBeVisible();
	// The Hub forgets every grant and token (as after a revocation there).
	await emulator('POST', '/__emulator/reset');

	await page.goto(GATED);
	await expect(page.getByText(/session has ended.*sign in again/i).first()).toBeVisible();
	await expect(signInButton(page)).toBeVisible();
	await expect(accountButton(page)).toHaveCount(0);
	await expect(page.getByText(/was not found on the Hub/)).toHaveCount(0);
	// The vault was cleared: still signed out after a reload.
	await page.reload();
	await expect(signInButton(page)).toBeVisible();
	await expect(accountButton(page)).toHaveCount(0);
});

test('a token that lives less than the refresh margin is refreshed ahead of expiry, not in a loop', async ({
	page
}) => {
	await emulator('POST', '/__emulator/config', { accessTokenTtlSeconds: 12 });
	await page.goto('/library');
	await signInThroughEmulator(page);
	await expect(accountButton(page)).toBeVisible();
	const tokenRequests = async () =>
		(await requests()).filter(
			(entry) => entry.method === 'POST' && pathOf(entry) === '/oauth/token'
		).length;
	// Two lifetimes: the code exchange and a refresh or two ahead of each expiry, no more.
	await page.waitForTimeout(24_000);
	const count = await tokenRequests();
	expect(count, 'token requests in 24 s with 12 s tokens').toBeGreaterThanOrEqual(2);
	expect(count, 'token requests in 24 s with 12 s tokens').toBeLessThanOrEqual(5);
	await expect(accountButton(page)).toBeVisible();
});

test('a callback without the iss parameter is refused for safety, not reported as an outage', async ({
	page
}) => {
	// The consent answer is followed here, up to the redirect back to the app, which loses `iss`.
	await page.route(new RegExp(`^${hubOrigin}/oauth/interaction/[^/]+/confirm$`), async (route) => {
		const first = await route.fetch({ maxRedirects: 0 });
		let location = new URL(first.headers().location ?? '/', hubOrigin).href;
		while (new URL(location).origin === hubOrigin) {
			const next = await page.request.get(location, { maxRedirects: 0 });
			location = new URL(next.headers().location ?? '/', location).href;
		}
		const callback = new URL(location);
		expect(callback.searchParams.get('iss'), 'the Hub sent iss').toBe(hubUrl);
		callback.searchParams.delete('iss');
		await route.fulfill({ status: 303, headers: { location: callback.href } });
	});
	await page.goto('/library');
	await signInThroughEmulator(page);
	await expect(page.getByRole('heading', { name: 'Sign-in failed' })).toBeVisible();
	const alert = page.getByRole('alert');
	await expect(alert).toContainText(/incomplete/i);
	await expect(alert).toContainText(/refused for safety/i);
	await expect(alert).not.toContainText(/right now/i);
	await expect(accountButton(page)).toHaveCount(0);
});

test.describe('framed by another site', () => {
	let app: Server;
	let framer: Server;
	let appOrigin = '';
	let framerOrigin = '';

	test.beforeAll(async () => {
		// The built app from a host that sends none of the protective headers.
		app = createStaticServer({ dir: BUILD_DIR, isolation: false, frameProtection: false });
		await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
		appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
		framer = createServer((_request, response) => {
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			response.end(
				`<!doctype html><html lang="en"><title>Another site</title><section aria-label="Another site"><h1>Another site</h1><iframe title="embedded" src="${appOrigin}/settings" width="900" height="700"></iframe></section>`
			);
		});
		await new Promise<void>((resolve) => framer.listen(0, 'localhost', resolve));
		framerOrigin = `http://localhost:${(framer.address() as AddressInfo).port}`;
	});
	test.afterAll(async () => {
		await Promise.all(
			[app, framer].map((server) => new Promise((resolve) => server.close(resolve)))
		);
	});

	test('the app refuses to run in a frame of another origin: no live controls, a link to open it in its own tab', async ({
		page
	}) => {
		await page.goto(`${framerOrigin}/`);
		const frame = page.frameLocator('iframe[title="embedded"]');
		const open = frame.getByRole('link', { name: /open citrate in its own tab/i });
		await expect(open).toBeVisible();
		await expect(open).toHaveAttribute('target', '_blank');
		expect(new URL((await open.getAttribute('href')) ?? '', appOrigin).origin).toBe(appOrigin);
		await expect(frame.getByRole('button')).toHaveCount(0);
		await expect(frame.getByRole('textbox')).toHaveCount(0);
		await expect(frame.getByRole('region', { name: 'Account' })).toHaveCount(0);
		const axe = await new AxeBuilder({ page }).analyze();
		expect(axe.violations, 'the framed notice').toEqual([]);

		// The same build in its own tab (no frame) runs normally.
		await page.goto(`${appOrigin}/settings`);
		await expect(page.getByRole('region', { name: 'Account' })).toBeVisible();
	});
});

test('the CSP lists exact origins: the Hub, its CDN and the gateways, never a port wildcard', async ({
	page
}) => {
	await page.goto('/settings');
	const policy =
		(await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content')) ??
		'';
	const directive = (name: string) =>
		policy
			.split(';')
			.map((part) => part.trim().split(/\s+/))
			.find(([first]) => first === name)
			?.slice(1) ?? [];
	for (const name of ['connect-src', 'img-src']) {
		const sources = directive(name);
		expect(sources, name).toContain(hubOrigin);
		expect(
			sources.filter((source) => source.includes('*')),
			`${name} wildcards`
		).toEqual([]);
	}
	expect(directive('connect-src')).toContain(`http://127.0.0.1:${cdnPort}`);
});

test('a model card full of XSS probes renders without a console error or CSP violation', async ({
	page
}) => {
	const problems: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error' || /Content Security Policy/i.test(message.text()))
			problems.push(message.text());
	});
	page.on('pageerror', (error) => problems.push(error.message));
	await page.goto('/models/citrate-test/xss-readme-GGUF');
	await page.evaluate(() =>
		document.addEventListener('securitypolicyviolation', (event) =>
			console.warn(`Content Security Policy violation: ${event.violatedDirective}`)
		)
	);
	const card = page.getByRole('region', { name: 'Model card' });
	await expect(card.getByText('Safe text after the probes.')).toBeVisible();
	await page.waitForTimeout(500);
	expect(problems).toEqual([]);
});
