/**
 * IPFS end to end in the built app: a downloaded model is pinned (kubo CID shown in the library,
 * a tiny IndexedDB index, still pinned after a reload, exported as CAR, unpinned on delete); a
 * fresh profile adds a model by CID from a local trustless gateway and chats with it; a gateway
 * serving a wrong block is refused and nothing is added.
 *
 * Run with E2E_IPFS_GATEWAYS=http://127.0.0.1:8975 (the build reads it into PUBLIC_IPFS_GATEWAYS);
 * this spec starts the gateway on that port.
 */
import { readFile } from 'node:fs/promises';
import { CarReader } from '@ipld/car';
import { expect, test, type Page } from '@playwright/test';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { makeScriptedLlamaGguf } from '../fixtures/gguf';
import { startIpfsGateway, type IpfsGateway } from '../ipfs-gateway/server';

const hubUrl = `http://127.0.0.1:${Number(process.env.E2E_HUB_PORT ?? 8787)}`;
/** The build knows a gateway only when E2E_IPFS_GATEWAYS is set (playwright.config passes it on). */
const configured = Boolean(process.env.E2E_IPFS_GATEWAYS?.trim());
const gatewayUrl = (process.env.E2E_IPFS_GATEWAYS?.trim() || 'http://127.0.0.1:8975').split(
	/[\s,]+/
)[0]!;
const NO_GATEWAY =
	'add-by-CID needs the app built with a gateway: run with E2E_IPFS_GATEWAYS=http://127.0.0.1:8975';
const TINY = 'citrate-test/tiny-llama-GGUF';

let gateway: IpfsGateway | undefined;
test.beforeAll(async () => {
	if (configured) gateway = await startIpfsGateway({ port: Number(new URL(gatewayUrl).port) });
});
test.afterAll(async () => {
	await gateway?.close();
});
test.beforeEach(async () => {
	await fetch(`${hubUrl}/__emulator/reset`, { method: 'POST' });
	if (gateway) await fetch(`${gatewayUrl}/__gateway/reset`, { method: 'POST' });
});

/** kubo `--cid-version=1 --raw-leaves`, computed here in Node, independently of the app. */
async function kuboCid(bytes: Uint8Array): Promise<string> {
	let cid = '';
	for await (const entry of importer([{ content: bytes }], new MemoryBlockstore(), {
		cidVersion: 1,
		rawLeaves: true,
		chunker: fixedSize({ chunkSize: 262_144 }),
		layout: balanced({ maxChildrenPerNode: 174 })
	}))
		cid = entry.cid.toString();
	return cid;
}

/** IPFS records in IndexedDB: pins, and the bytes the block index holds. */
async function ipfsIndex(
	page: Page
): Promise<{ pins: string[]; indexBytes: number; blocks: number }> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('citrate');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const all = <T>(store: string) =>
			new Promise<T[]>((resolve, reject) => {
				const request = db.transaction(store).objectStore(store).getAll();
				request.onsuccess = () => resolve(request.result as T[]);
				request.onerror = () => reject(request.error);
			});
		const pins = await all<{ cid: string }>('ipfsPins');
		const blocks = await all<{ cid: string; bytes?: Uint8Array; leaf?: unknown }>('ipfsBlocks');
		db.close();
		return {
			pins: pins.map((pin) => pin.cid),
			blocks: blocks.length,
			indexBytes: blocks.reduce(
				(sum, block) =>
					sum +
					block.cid.length +
					(block.bytes?.byteLength ?? 0) +
					JSON.stringify(block.leaf ?? null).length,
				0
			)
		};
	});
}

async function gatewayAdd(name: string, bytes: Uint8Array): Promise<string> {
	const response = await fetch(`${gatewayUrl}/__gateway/add?name=${encodeURIComponent(name)}`, {
		method: 'POST',
		body: Buffer.from(bytes)
	});
	return ((await response.json()) as { cid: string }).cid;
}

test('download → pinned with the kubo CID, tiny index → reload → still pinned → CAR → delete unpins', async ({
	page
}) => {
	test.setTimeout(180_000);
	const consoleErrors: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
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
	const cidText = card.getByTestId('cid');
	await expect(cidText).toHaveText(/^bafy/, { timeout: 60_000 });
	const cid = (await cidText.textContent())!.trim();

	// The same CID as kubo's, from the same bytes fetched from the Hub emulator.
	const path = (await card.locator('td.path').first().textContent())!.trim();
	const revision = (await card.locator('code[title]').first().getAttribute('title'))!;
	const bytes = new Uint8Array(
		await (await fetch(`${hubUrl}/${TINY}/resolve/${revision}/${path}`)).arrayBuffer()
	);
	expect(cid).toBe(await kuboCid(bytes));

	// Stored once: IndexedDB holds only DAG nodes and leaf locations.
	const index = await ipfsIndex(page);
	expect(index.pins).toContain(cid);
	expect(index.indexBytes).toBeLessThan(bytes.byteLength * 0.01);

	await card.getByRole('button', { name: /^Copy CID of / }).click();
	await expect(
		card.getByRole('status').filter({ hasText: /CID copied|copy it by hand/ })
	).toBeVisible();

	await page.reload();
	await expect(
		page.getByRole('article', { name: new RegExp(`^${TINY} `) }).getByTestId('cid')
	).toHaveText(cid);
	expect((await ipfsIndex(page)).pins).toContain(cid);

	// Export CAR: rooted at the CID, every block present.
	const downloadPromise = page.waitForEvent('download');
	await page
		.getByRole('button', { name: /^Export CAR of / })
		.first()
		.click();
	const download = await downloadPromise;
	expect(download.suggestedFilename()).toMatch(/\.car$/);
	const car = await CarReader.fromBytes(new Uint8Array(await readFile((await download.path())!)));
	expect((await car.getRoots())[0]?.toString()).toBe(cid);
	let leafBytes = 0;
	for await (const block of car.blocks())
		if (block.cid.code === 0x55) leafBytes += block.bytes.byteLength;
	expect(leafBytes).toBe(bytes.byteLength);

	// Deleting the model unpins it and drops its index entries.
	await page.getByRole('button', { name: new RegExp(`^Delete ${TINY} `) }).click();
	await page.getByRole('button', { name: 'Delete model' }).click();
	await expect(page.getByRole('article', { name: new RegExp(`^${TINY} `) })).toHaveCount(0);
	// The pins go first, then the blocks no pin reaches any more (the worker is still at it when
	// the card goes).
	await expect
		.poll(async () => {
			const { pins, blocks } = await ipfsIndex(page);
			return { pins, blocks };
		})
		.toEqual({ pins: [], blocks: 0 });

	// Helia runs without libp2p: no bootstrap or networking errors.
	expect(
		consoleErrors.filter((text) => /helia|libp2p|bootstrap|ipfs|multiaddr/i.test(text))
	).toEqual([]);
});

test('a fresh profile adds a model by CID from the gateway, verified, and chats with it', async ({
	page
}) => {
	test.skip(!configured, NO_GATEWAY);
	test.setTimeout(180_000);
	const reply = 'Hello from a CID.';
	const cid = await gatewayAdd('cid-chat.gguf', makeScriptedLlamaGguf({ reply, name: 'CID chat' }));

	await page.goto('/library');
	await page.getByLabel('CID', { exact: true }).fill(cid);
	await page.getByLabel('Name (optional)').fill('cid-chat');
	await page.getByRole('button', { name: 'Add model' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'was verified and added' })).toBeVisible({
		timeout: 60_000
	});
	const card = page.getByRole('article', { name: /^ipfs\/cid-chat / });
	await expect(card.getByTestId('cid')).toHaveText(cid);
	await expect(card).toContainText('from IPFS');

	// Every request was for a single block, verified in the browser.
	const log = (await (await fetch(`${gatewayUrl}/__gateway/requests`)).json()) as {
		accept: string;
	}[];
	expect(log.length).toBeGreaterThan(0);
	for (const entry of log) expect(entry.accept).toBe('application/vnd.ipld.raw');

	await page.goto('/');
	const picker = page.getByLabel('Downloaded model');
	const option = picker.locator('option', { hasText: 'cid-chat' });
	await expect(option).toHaveCount(1, { timeout: 30_000 });
	await picker.selectOption({ value: (await option.getAttribute('value'))! });
	const status = page.getByRole('status', { name: 'Model status' });
	await expect(status).toContainText(/Context \d+/, { timeout: 60_000 });
	await expect(status).toContainText(/WASM|WebGPU/);
	const box = page.getByRole('textbox', { name: 'Message' });
	await expect(async () => {
		await box.fill('Hi there');
		await box.press('Enter');
		await expect(page.getByRole('article', { name: 'Your message' }).first()).toBeVisible({
			timeout: 3000
		});
	}).toPass({ timeout: 30_000 });
	await expect(page.getByRole('article', { name: 'Assistant message' }).first()).toContainText(
		reply,
		{
			timeout: 60_000
		}
	);
});

test('a gateway that serves a wrong block is refused with a clear error and nothing is added', async ({
	page
}) => {
	test.skip(!configured, NO_GATEWAY);
	const bytes = makeScriptedLlamaGguf({ reply: 'never', name: 'Bad block' });
	const cid = await gatewayAdd('bad.gguf', bytes);
	await fetch(`${gatewayUrl}/__gateway/faults`, {
		method: 'POST',
		body: JSON.stringify({ wrongBlock: 'leaf:0' })
	});
	await page.goto('/library');
	await page.getByLabel('CID', { exact: true }).fill(cid);
	await page.getByRole('button', { name: 'Add model' }).click();
	await expect(page.getByRole('alert').filter({ hasText: 'does not match its CID' })).toBeVisible({
		timeout: 30_000
	});
	await expect(page.getByRole('article', { name: /^ipfs\// })).toHaveCount(0);
	expect((await ipfsIndex(page)).pins).toEqual([]);

	// Not a CID at all: said so, nothing fetched.
	await page.getByLabel('CID', { exact: true }).fill('not a cid');
	await page.getByRole('button', { name: 'Add model' }).click();
	await expect(page.getByText('"not a cid" is not a CID of a file or folder.')).toBeVisible();
});
