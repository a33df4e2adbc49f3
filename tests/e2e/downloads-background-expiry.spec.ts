/**
 * Background Fetch meets an expired signed CDN URL (the CDN answers 403): the files that came in
 * whole are kept, the others continue from their committed byte through a fresh resolve at the
 * Hub (token on the resolve only), and the library says why. Also: a model Background Fetch
 * completed with every page closed is pinned like one the engine completed.
 */
import { expect, test, type Page } from '@playwright/test';
import {
	expectNoTokenOnCdn,
	continueInBackground,
	control,
	fault,
	ggufFiles,
	rangeStart,
	requestLog,
	SHARDED,
	startDownload,
	states,
	withProfile,
	type LoggedRequest,
	type RepoFile
} from './background-fetch';

/** How long a signed URL lives in these tests (the page waits 2.5 s before it starts the fetch). */
const URL_LIFETIME_MS = 1000;

/**
 * The page takes its time between the hand-over (URLs resolved) and starting the background
 * fetch, so the browser's first requests carry URLs older than their lifetime.
 */
function slowBackgroundFetchStart() {
	const manager = (globalThis as { BackgroundFetchManager?: { prototype: { fetch: unknown } } })
		.BackgroundFetchManager;
	if (!manager) return;
	const start = manager.prototype.fetch as (...args: unknown[]) => Promise<unknown>;
	manager.prototype.fetch = async function (this: unknown, ...args: unknown[]) {
		await new Promise((resolve) => setTimeout(resolve, 2500));
		return start.apply(this, args);
	};
}

test.beforeEach(async () => {
	await control('reset', 'POST');
});
// Chromium sometimes holds a new background fetch for a minute or more before its first byte.
test.describe.configure({ timeout: 300_000 });
const DONE_WITHIN_MS = 240_000;

const isFile = (file: RepoFile) => (r: LoggedRequest) =>
	new URL(r.url).pathname.endsWith(`/${file.sha256}`);
const isResolveOf = (file: RepoFile) => (r: LoggedRequest) =>
	r.origin === 'hub' && r.method === 'GET' && new URL(r.url).pathname.endsWith(`/${file.path}`);

async function expectVerifiedInLibrary(page: Page, files: RepoFile[]) {
	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
	await expect(card).toBeVisible();
	for (const file of files)
		await expect(card.getByRole('row', { name: new RegExp(file.path) })).toContainText(file.sha256);
	return card;
}

test('a signed URL that expired before the browser used it: the other files are kept, that one continues from its committed byte through a new resolve, every page closed', async () => {
	const files = await ggufFiles(SHARDED);
	const expiring = files[1]!;
	await withProfile(async (context) => {
		await fault({ expireAfterMs: URL_LIFETIME_MS, path: expiring.sha256 });
		const { page, worker } = await startDownload(context, files, 12, 0.2);
		const handedOver = new Date().toISOString();
		await continueInBackground(context, page);
		await expect.poll(() => states(worker), { timeout: DONE_WITHIN_MS }).toEqual(['done']);
		expect(context.pages()).toHaveLength(0);

		const log = (await requestLog()).filter((r) => r.time >= handedOver);
		expectNoTokenOnCdn(log);
		const gets = (file: RepoFile) =>
			log.filter((r) => r.origin === 'cdn' && r.method === 'GET' && isFile(file)(r));
		// The expiring file: the browser's request was refused as expired; the engine asked the Hub
		// again (a new signed URL) and fetched it from the same committed byte.
		const [refused, ...again] = gets(expiring);
		expect(refused?.status, 'the browser used the expired URL').toBe(403);
		expect(again.map((r) => r.status)).toEqual([206]);
		expect(rangeStart(again[0]!)).toBe(rangeStart(refused!));
		expect(rangeStart(refused!)).toBeGreaterThan(0);
		const resolves = log.filter(isResolveOf(expiring));
		expect(resolves.some((r) => r.time >= refused!.time && r.time <= again[0]!.time)).toBe(true);
		// The other files came in whole through the browser, once, from their committed byte, and
		// were kept (Background Fetch drops Content-Range: the engine once fetched them again).
		for (const file of files.filter((f) => f !== expiring)) {
			const fetched = gets(file);
			expect(
				fetched.map((r) => r.status),
				file.path
			).toEqual([206]);
			expect(rangeStart(fetched[0]!), file.path).toBeGreaterThan(0);
			expect(log.filter(isResolveOf(file)), file.path).toEqual([]);
		}

		await expectVerifiedInLibrary(await context.newPage(), files);
	}, slowBackgroundFetchStart);
});

test('with the library open, an expired link says so and the download goes on to the end', async () => {
	const files = await ggufFiles(SHARDED);
	await withProfile(async (context) => {
		await fault({ expireAfterMs: URL_LIFETIME_MS });
		const { page, worker } = await startDownload(context, files, 12, 0.2);
		await page.goto('/library');
		await page
			.getByRole('button', { name: /^Continue the download of .* in the background$/ })
			.click();
		const job = page.getByRole('article', { name: new RegExp(`^Download of ${SHARDED}`) });
		await expect(job).toContainText(
			'The download link expired during the background download: Citrate asked the Hub for a new one and goes on from the last saved byte.',
			{ timeout: 30_000 }
		);
		if (process.env.E2E_SCREENSHOTS)
			await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/expired-link.png` });
		await expect.poll(() => states(worker), { timeout: DONE_WITHIN_MS }).toEqual(['done']);
		await expectVerifiedInLibrary(page, files);
		const log = await requestLog();
		expectNoTokenOnCdn(log);
		expect(log.filter((r) => r.origin === 'cdn' && r.status === 403)).toHaveLength(files.length);
	}, slowBackgroundFetchStart);
});

/** The CID the library shows for the model once the page pinned it. */
async function pinnedCid(page: Page): Promise<string> {
	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
	const cid = card.getByTestId('cid');
	await expect(cid).toHaveText(/^bafy/, { timeout: 60_000 });
	return (await cid.textContent())!.trim();
}

test('a model Background Fetch completed with every page closed is pinned at the next open, with the CID the engine gives it', async () => {
	test.setTimeout(420_000);
	const files = await ggufFiles(SHARDED);
	let carried = '';
	// The page starts the fetch 2.5 s after the hand-over, as above: started at once, with every
	// page closed right after, the fetch stayed at 0 bytes for over 60 s in each of 3 runs here
	// under a load average of ~14 (no backgroundfetchsuccess), a Chromium hold-up not yet understood.
	await withProfile(async (context) => {
		const { page, worker } = await startDownload(context, files, 8, 0.2);
		await continueInBackground(context, page);
		await expect.poll(() => states(worker), { timeout: DONE_WITHIN_MS }).toEqual(['done']);
		expect(context.pages()).toHaveLength(0);
		const library = await context.newPage();
		carried = await pinnedCid(library);
		const pins = await library.evaluate(
			() =>
				new Promise<string[]>((resolve, reject) => {
					const open = indexedDB.open('citrate');
					open.onerror = () => reject(open.error);
					open.onsuccess = () => {
						const get = open.result.transaction('ipfsPins').objectStore('ipfsPins').getAll();
						get.onsuccess = () => {
							resolve((get.result as { cid: string }[]).map((pin) => pin.cid));
							open.result.close();
						};
					};
				})
		);
		expect(pins).toContain(carried);
	}, slowBackgroundFetchStart);
	// The same model downloaded by the engine alone, in a fresh profile.
	await control('reset', 'POST');
	await withProfile(async (context) => {
		const page = context.pages()[0] ?? (await context.newPage());
		await page.goto(`/models/${SHARDED}`);
		await page.evaluate(async () => {
			await navigator.serviceWorker.ready;
		});
		await page
			.getByRole('button', { name: /^Download / })
			.first()
			.click();
		await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
		expect(await pinnedCid(page)).toBe(carried);
	});
});
