/**
 * Remote pinning through the real UI, against a real Citrate node (`startCitrateNode`, the same
 * code as `npm run ipfs-node`) on free ports: Settings refuses a wrong token and keeps the right
 * one; the library's *Pin remotely* shows the service's statuses until Pinned remotely, which
 * survives a reload; a pin the service cannot complete shows Remote pin failed and the reason.
 *
 * The node fetches the blocks over libp2p/bitswap from a Helia peer in Node that holds the same
 * file (same kubo CID): the browser serving them itself comes with the browser peer.
 */
import { expect, test, type Page } from '@playwright/test';
import { startCitrateNode, type CitrateNode } from '../../scripts/ipfs-node/node';
import { addFile, startTestPeer, type TestPeer } from '../ipfs-node/peers';
import { multiaddr } from '@multiformats/multiaddr';

const hubUrl = `http://127.0.0.1:${Number(process.env.E2E_HUB_PORT ?? 8787)}`;
const TINY = 'citrate-test/tiny-llama-GGUF';
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

async function downloadTiny(page: Page) {
	await page.goto(`/models/${TINY}`);
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${TINY} `) });
	await expect(card.getByTestId('cid')).toHaveText(/^bafy/, { timeout: 60_000 });
	return card;
}

async function saveService(page: Page, token: string) {
	await page.goto('/settings');
	const section = page.getByRole('region', {
		name: 'Keep models on my IPFS node or pinning service'
	});
	await section.getByLabel('Service address').fill(node.pinningApiUrl!);
	await section.getByLabel('Service access token').fill(token);
	await section.getByRole('button', { name: /^Check and (save|replace)$/ }).click();
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
