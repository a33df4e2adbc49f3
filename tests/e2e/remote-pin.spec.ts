/**
 * Remote pinning through the real UI, against a real Citrate node (`startCitrateNode`, the same
 * code as `npm run ipfs-node`) on free ports: Settings refuses a wrong token and keeps the right
 * one; the library's *Pin remotely* shows the service's statuses until Pinned remotely, which
 * survives a reload; a pin the service cannot complete shows Remote pin failed and the reason.
 *
 * The first tests have the node fetch the blocks from a Helia peer in Node that holds the same file
 * (same kubo CID). The last one is the done-when path: the node gets every block from the
 * browser that pins (its peer dials the node's WebSocket address once the user allowed it), then a
 * fresh profile with the Hub, CDN and gateway unreachable adds the model by CID from the node alone
 * and chats with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium-path.mjs';
import { SCRIPTED_CHAT_REPLY } from '../hub-emulator/default-repos';
import { startCitrateNode, type CitrateNode } from '../../scripts/ipfs-node/node';
import { addFile, collect, startTestPeer, type TestPeer } from '../ipfs-node/peers';
import { CID } from 'multiformats/cid';
import { multiaddr } from '@multiformats/multiaddr';
import { emulateTheme } from './theme';

const hubUrl = `http://127.0.0.1:${Number(process.env.E2E_HUB_PORT ?? 8787)}`;
const cdnUrl = `http://127.0.0.1:${Number(process.env.E2E_CDN_PORT ?? 8788)}`;
const gateways = (process.env.E2E_IPFS_GATEWAYS ?? '').split(',').filter(Boolean);
const TINY = 'citrate-test/tiny-llama-GGUF';
const SCRIPTED = 'citrate-test/scripted-chat-GGUF';
const TOKEN = 'e2e-remote-pin-token-0123456789';

let node: CitrateNode;
const peers: TestPeer[] = [];
test.beforeAll(async () => {
	node = await startCitrateNode({
		tcpPort: false,
		pinningApi: { port: 0, token: TOKEN, stallTimeoutMs: 3000 }
	});
});
test.afterAll(async () => {
	for (const p of peers) await p.stop();
	await node.stop();
});
test.beforeEach(async () => {
	await fetch(`${hubUrl}/__emulator/reset`, { method: 'POST' });
});

async function downloadTiny(page: Page, repo = TINY) {
	await page.goto(`/models/${repo}`);
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${repo} `) });
	await expect(card.getByTestId('cid')).toHaveText(/^baf/, { timeout: 60_000 });
	return card;
}

/**
 * Settings → the service. The endpoint is chosen at run time, so it is not in the page's CSP: the
 * first time, the form asks to allow its origin (Allow and reload), then the user saves again.
 */
async function saveService(
	page: Page,
	token: string,
	service = node,
	beforeAllow: () => Promise<void> = async () => undefined
) {
	await page.goto('/settings');
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null)))
		await page.reload();
	const section = page.getByRole('region', {
		name: 'Keep models on my IPFS node or pinning service'
	});
	const submit = async () => {
		await section.getByLabel('Service address').fill(service.pinningApiUrl!);
		await section.getByLabel('Service access token').fill(token);
		await section.getByRole('button', { name: /^Check and (save|replace)$/ }).click();
	};
	await submit();
	const origin = new URL(service.pinningApiUrl!).origin;
	const ask = section.getByText(`Allow Citrate to connect to ${origin} to keep your models there?`);
	const saved = section.getByText('Service saved: the token was accepted.');
	const refused = section.getByText(/refused the access token/);
	await expect(ask.or(saved).or(refused)).toBeVisible({ timeout: 30_000 });
	if (await ask.isVisible()) {
		await beforeAllow();
		await Promise.all([
			page.waitForEvent('load'),
			section.getByRole('button', { name: 'Allow and reload' }).click()
		]);
		await submit();
	}
	return section;
}

test('Settings: a wrong token is refused and not kept; the right one is checked and kept', async ({
	page
}) => {
	const section = await saveService(page, 'not-the-right-token-00000');
	await expect(section.getByText(/refused the access token/)).toBeVisible();
	await expect(section.getByTestId('pinning-endpoint')).toHaveCount(0);
	await page.reload();
	await expect(
		page
			.getByRole('region', { name: 'Keep models on my IPFS node or pinning service' })
			.getByTestId('pinning-endpoint')
	).toHaveCount(0);

	const again = await saveService(page, TOKEN);
	await expect(again.getByText('Service saved: the token was accepted.')).toBeVisible();
	await page.reload();
	await expect(page.getByTestId('pinning-endpoint')).toContainText(node.pinningApiUrl!);
	// The token is in the vault, encrypted: not readable in IndexedDB.
	const plain = await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const r = indexedDB.open('citrate');
			r.onsuccess = () => resolve(r.result);
			r.onerror = () => reject(r.error);
		});
		const all = await new Promise<unknown[]>((resolve) => {
			const r = db.transaction('vault').objectStore('vault').getAll();
			r.onsuccess = () => resolve(r.result);
		});
		db.close();
		return JSON.stringify(all.map((x) => ({ ...(x as object), key: undefined })));
	});
	expect(plain).not.toContain(TOKEN);
});

test('Pin remotely: the node fetches the blocks over bitswap and the library shows Pinned remotely, after a reload too', async ({
	page
}) => {
	test.setTimeout(240_000);
	const card = await downloadTiny(page);
	const cid = (await card.getByTestId('cid').textContent())!.trim();
	// Before a service is set up, the model offers to set one up.
	await expect(card.getByRole('link', { name: 'Set up remote pinning' })).toBeVisible();

	// A Helia peer in Node with the same file, connected to the node.
	const revision = (await card.locator('code[title]').first().getAttribute('title'))!;
	const path = (await card.locator('td.path').first().textContent())!.trim();
	const bytes = new Uint8Array(
		await (await fetch(`${hubUrl}/${TINY}/resolve/${revision}/${path}`)).arrayBuffer()
	);
	const peer = await startTestPeer();
	peers.push(peer);
	expect((await addFile(peer, bytes)).cid.toString()).toBe(cid);
	await peer.helia.libp2p.dial(multiaddr(node.wsMultiaddrs[0]));

	await expect(
		(await saveService(page, TOKEN)).getByText('Service saved: the token was accepted.')
	).toBeVisible();
	await page.goto('/library');
	await card.getByRole('button', { name: new RegExp(`^Pin remotely ${TINY}`) }).click();
	await expect(card.getByTestId('remote-pin-status')).toHaveText('Pinned remotely', {
		timeout: 60_000
	});
	expect(await node.helia.pins.isPinned((await import('multiformats/cid')).CID.parse(cid))).toBe(
		true
	);
	await page.reload();
	await expect(card.getByTestId('remote-pin-status')).toHaveText('Pinned remotely');
	await expect(card.getByRole('button', { name: /^Pin remotely/ })).toHaveCount(0);
});

test('a pin the service reports failed shows Remote pin failed with its reason, and can be retried', async ({
	page
}) => {
	test.setTimeout(240_000);
	for (const p of peers.splice(0)) await p.stop(); // nobody has the blocks now
	const card = await downloadTiny(page);
	await expect(
		(await saveService(page, TOKEN)).getByText('Service saved: the token was accepted.')
	).toBeVisible();
	await page.goto('/library');
	// The node may still hold the blocks from the previous test: make it forget them.
	for await (const pin of node.helia.pins.ls()) for await (const _ of node.helia.pins.rm(pin.cid));
	await node.helia.gc();
	await card.getByRole('button', { name: new RegExp(`^Pin remotely ${TINY}`) }).click();
	await expect(card.getByTestId('remote-pin-status')).toHaveText('Remote pin failed', {
		timeout: 60_000
	});
	await expect(card.getByRole('alert')).toContainText('could not pin this model: no block arrived');
	await expect(
		card.getByRole('button', { name: new RegExp(`^Retry pinning ${TINY}`) })
	).toBeEnabled();
});

test('a service that is down: the card says so and when it tries again (with backoff); once the service is back, the pin goes on', async ({
	page
}) => {
	test.setTimeout(240_000);
	const options = {
		tcpPort: false as const,
		pinningApi: { port: 0, token: TOKEN, stallTimeoutMs: 3000 }
	};
	let service: CitrateNode | undefined = await startCitrateNode(options);
	const port = Number(new URL(service.pinningApiUrl!).port);
	try {
		const card = await downloadTiny(page);
		await expect(
			(await saveService(page, TOKEN, service)).getByText('Service saved: the token was accepted.')
		).toBeVisible();
		await page.goto('/library');
		// The service goes down after it was set up.
		await service.stop();
		service = undefined;
		await card.getByRole('button', { name: new RegExp(`^Pin remotely ${TINY}`) }).click();
		const retrying = card.getByText(/could not be reached\. .*Trying again in \d+ s\./);
		await expect(retrying).toBeVisible({ timeout: 60_000 });
		await expect(card.getByTestId('remote-pin-status')).toHaveCount(0);
		// Back on the same address: the next try reaches it and the service's status shows.
		service = await startCitrateNode({ ...options, pinningApi: { ...options.pinningApi, port } });
		await expect(card.getByTestId('remote-pin-status')).toHaveText(
			/^(Remote pin queued|Pinning remotely…|Pinned remotely|Remote pin failed)$/,
			{ timeout: 120_000 }
		);
		await expect(retrying).toBeHidden();
	} finally {
		await service?.stop();
	}
});

/** axe (whole page) and no horizontal overflow at 1280/390/360 px in both themes, with screenshots. */
async function checkLayout(page: Page, name: string) {
	const prompt = page.getByRole('button', { name: 'Allow and reload' });
	for (const width of [1280, 390, 360])
		for (const theme of ['light', 'dark'] as const) {
			await page.setViewportSize({ width, height: 800 });
			await emulateTheme(page, theme);
			const axe = await new AxeBuilder({ page }).analyze();
			expect(axe.violations, `${name} (${width} px, ${theme})`).toEqual([]);
			expect(
				await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
				`${name}: no horizontal overflow at ${width} px`
			).toBe(true);
			if (width === 360) continue;
			await prompt.scrollIntoViewIfNeeded();
			await page.screenshot({ path: test.info().outputPath(`${name}-${width}-${theme}.png`) });
		}
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.emulateMedia({ colorScheme: 'light' });
}

/** A persistent profile (a device), on its own temporary folder. */
async function device(baseURL: string | undefined) {
	const dir = await mkdtemp(join(tmpdir(), 'citrate-remote-pin-'));
	const context = await chromium.launchPersistentContext(dir, {
		executablePath: findChromium(),
		args: CHROMIUM_ARGS,
		baseURL
	});
	return {
		context,
		page: context.pages()[0] ?? (await context.newPage()),
		close: async () => {
			await context.close().catch(() => undefined);
			await rm(dir, { recursive: true, force: true });
		}
	};
}

test('remote pin end to end: A pins a model on its node from its own browser (every block served by A over bitswap); with A closed and the Hub unreachable, a fresh profile C adds it by CID from that node alone and chats', async ({
	baseURL
}) => {
	test.setTimeout(420_000);
	// Its own node, on free ports: the pin waits while the user allows the node's address (a reload).
	const own = await startCitrateNode({
		tcpPort: false,
		pinningApi: { port: 0, token: TOKEN, stallTimeoutMs: 120_000 }
	});
	const ws = `ws://${/^\/ip4\/([^/]+)\/tcp\/(\d+)\/ws/.exec(own.wsMultiaddrs[0]!)!.slice(1).join(':')}`;
	const devices: { close(): Promise<void> }[] = [];
	try {
		// Device A: download from the Hub emulator.
		const a = await device(baseURL);
		devices.push(a);
		const card = await downloadTiny(a.page, SCRIPTED);
		const cid = (await card.getByTestId('cid').textContent())!.trim();
		const revision = (await card.locator('code[title]').first().getAttribute('title'))!;
		const path = (await card.locator('td.path').first().textContent())!.trim();
		const bytes = new Uint8Array(
			await (await fetch(`${hubUrl}/${SCRIPTED}/resolve/${revision}/${path}`)).arrayBuffer()
		);
		// The same blocks, computed apart, in a peer nobody connects to.
		const reference = await startTestPeer();
		peers.push(reference);
		const { blocks } = await addFile(reference, bytes);
		for (const b of blocks) expect(await own.helia.blockstore.has(b)).toBe(false);
		expect(own.libp2p.getConnections()).toHaveLength(0);

		await expect(
			(
				await saveService(a.page, TOKEN, own, () => checkLayout(a.page, 'settings-allow'))
			).getByText('Service saved: the token was accepted.')
		).toBeVisible();
		await a.page.goto('/library');
		await card.getByRole('button', { name: new RegExp(`^Pin remotely ${SCRIPTED}`) }).click();
		// The node's WebSocket address is not in the CSP yet: the card asks to allow it.
		await expect(card.getByText(`Allow Citrate to connect to ${ws} so your node`)).toBeVisible({
			timeout: 30_000
		});
		await checkLayout(a.page, 'library-allow-node');
		await Promise.all([
			a.page.waitForEvent('load'),
			card.getByRole('button', { name: 'Allow and reload' }).click()
		]);
		await expect(card.getByTestId('remote-pin-status')).toHaveText('Pinned remotely', {
			timeout: 150_000
		});
		// The only peer the node was connected to is A's browser, over WebSockets.
		const remotes = new Set(own.libp2p.getConnections().map((c) => c.remotePeer.toString()));
		expect(remotes.size).toBe(1);
		await a.close();
		for (const b of blocks)
			expect(await collect(own.helia.blockstore.get(b))).toEqual(
				await collect(reference.helia.blockstore.get(b))
			);
		expect(await own.helia.pins.isPinned(CID.parse(cid))).toBe(true);
		await reference.stop();

		// Device C: a fresh profile; the Hub (API and CDN) and the gateway are unreachable.
		const c = await device(baseURL);
		devices.push(c);
		const blocked = [hubUrl, cdnUrl, ...gateways].map((u) => new URL(u).origin);
		const tried: string[] = [];
		await c.context.route(
			(url) => blocked.includes(url.origin),
			(route) => {
				tried.push(route.request().url());
				return route.abort('connectionrefused');
			}
		);
		await expect(
			(await saveService(c.page, TOKEN, own)).getByText('Service saved: the token was accepted.')
		).toBeVisible();
		await c.page.goto('/library');
		const add = async () => {
			await c.page.getByLabel('CID', { exact: true }).fill(cid);
			await c.page.getByLabel('Name (optional)').fill('from-my-node');
			await c.page.getByRole('button', { name: 'Add model' }).click();
		};
		await add();
		const form = c.page.getByRole('form', { name: 'Add model by CID' });
		await expect(form.getByText(`Allow Citrate to connect to ${ws} to fetch`)).toBeVisible();
		await checkLayout(c.page, 'add-by-cid-allow-node');
		await Promise.all([
			c.page.waitForEvent('load'),
			form.getByRole('button', { name: 'Allow and reload' }).click()
		]);
		await add();
		await expect(
			c.page.getByRole('status').filter({ hasText: 'was verified and added' })
		).toBeVisible({ timeout: 90_000 });
		const added = c.page.getByRole('article', { name: /^ipfs\/from-my-node / });
		await expect(added.getByTestId('cid')).toHaveText(cid);
		expect(own.libp2p.getConnections().length).toBeGreaterThan(0);

		await c.page.goto('/');
		const picker = c.page.getByLabel('Downloaded model');
		const option = picker.locator('option', { hasText: 'from-my-node' });
		await expect(option).toHaveCount(1, { timeout: 30_000 });
		await picker.selectOption({ value: (await option.getAttribute('value'))! });
		await expect(c.page.getByRole('status', { name: 'Model status' })).toContainText(
			/Context \d+/,
			{ timeout: 90_000 }
		);
		const box = c.page.getByRole('textbox', { name: 'Message' });
		await expect(async () => {
			await box.fill('Hi there');
			await box.press('Enter');
			await expect(c.page.getByRole('article', { name: 'Your message' }).first()).toBeVisible({
				timeout: 3000
			});
		}).toPass({ timeout: 30_000 });
		await expect(c.page.getByRole('article', { name: 'Assistant message' }).first()).toContainText(
			SCRIPTED_CHAT_REPLY.split('\n')[0]!,
			{ timeout: 90_000 }
		);
		// C never asked the Hub or its CDN. The configured gateway may be asked (Add by CID uses
		// gateways and peers together), but it is unreachable here: every block came from the node.
		const gatewayOrigins = gateways.map((u) => new URL(u).origin);
		expect(tried.filter((url) => !gatewayOrigins.includes(new URL(url).origin))).toEqual([]);
	} finally {
		for (const d of devices) await d.close();
		await own.stop();
	}
});
