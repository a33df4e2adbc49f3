/**
 * Downloads through the service worker, against the Hub emulator's fault knobs: verify, resume
 * after a cut / a reload / a stopped worker, hash mismatch, quota, two tabs, gated repos.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium-path.mjs';
import { ggufFiles, jobRecords } from './background-fetch';

const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const hubUrl = `http://127.0.0.1:${hubPort}`;
const SHARDED = 'citrate-test/tiny-llama-sharded-GGUF';
const GATED = 'citrate-test/gated-llama-GGUF';
const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';

interface LoggedRequest {
	time: string;
	origin: 'hub' | 'cdn';
	method: string;
	url: string;
	headers: Record<string, string>;
}

async function control(path: string, method: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status}`);
	return response.headers.get('content-type')?.includes('json') ? response.json() : null;
}
const fault = (spec: Record<string, unknown>) => control('faults', 'POST', spec);
const cdnGets = async () =>
	((await control('requests', 'GET')) as LoggedRequest[]).filter(
		(r) => r.origin === 'cdn' && r.method === 'GET'
	);
const rangeStart = (r: LoggedRequest) =>
	Number(/bytes=(\d+)-/.exec(r.headers['range'] ?? '')?.[1] ?? 0);
/** The engine's requests: whole files or open-ended ranges (the model page reads headers with bounded ones). */
const engineGets = async () =>
	(await cdnGets()).filter((r) => !/^bytes=\d+-\d+$/.test(r.headers['range'] ?? ''));

async function openModel(page: Page, repoId: string) {
	await page.goto(`/models/${repoId}`);
	// Let the page read the GGUF header first (its own Range request), so faults hit the download.
	const gguf = page.getByRole('region', { name: 'GGUF metadata' });
	await expect(gguf).toBeVisible();
	await expect
		.poll(async () => (await cdnGets()).some((r) => /^bytes=0-\d+$/.test(r.headers['range'] ?? '')))
		.toBe(true);
	await expect(gguf.getByText('Reading the GGUF header')).toHaveCount(0);
	// The service worker must be running to take the download.
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
}

const downloadButton = (page: Page) => page.getByRole('button', { name: /^Download / }).first();
const totalProgress = (page: Page) => page.getByRole('progressbar', { name: /^Total progress/ });

async function percentShown(page: Page): Promise<number> {
	const bar = totalProgress(page).first();
	const now = Number(await bar.getAttribute('aria-valuenow'));
	const max = Number(await bar.getAttribute('aria-valuemax'));
	return max > 0 ? now / max : 0;
}

test.beforeEach(async () => {
	await control('reset', 'POST');
});

test('a 3-shard variant downloads, verifies and is listed with its sizes and hashes', async ({
	page
}) => {
	const files = await ggufFiles(SHARDED);
	expect(files).toHaveLength(3);
	await openModel(page, SHARDED);
	await downloadButton(page).click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });

	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
	await expect(card).toBeVisible();
	for (const file of files) {
		const row = card.getByRole('row', { name: new RegExp(file.path) });
		await expect(row).toContainText(file.sha256);
	}
	const total = files.reduce((sum, f) => sum + f.size, 0);
	await expect(card.getByTestId('model-size')).toHaveText(
		new RegExp(`^${(total / 1e6).toFixed(total / 1e6 < 10 ? 2 : 1)} MB$`)
	);
	// The bytes are in OPFS, one folder of segments per shard.
	const stored = await page.evaluate(async (repoId) => {
		let dir = await navigator.storage.getDirectory();
		for (const name of ['models', ...repoId.split('/')]) dir = await dir.getDirectoryHandle(name);
		const sizes: Record<string, number> = {};
		for await (const [, revision] of dir as unknown as AsyncIterable<
			[string, FileSystemDirectoryHandle]
		>)
			for await (const [name, parts] of revision as unknown as AsyncIterable<
				[string, FileSystemDirectoryHandle]
			>) {
				let size = 0;
				for await (const [, segment] of parts as unknown as AsyncIterable<
					[string, FileSystemFileHandle]
				>)
					size += (await segment.getFile()).size;
				sizes[name.replace(/\.parts$/, '')] = size;
			}
		return sizes;
	}, SHARDED);
	expect(stored).toEqual(Object.fromEntries(files.map((f) => [f.path, f.size])));
	await expect(page.getByTestId('storage-used')).toBeVisible();
});

test('a connection cut at 40% of a shard resumes with a Range request and verifies', async ({
	page
}) => {
	// The second shard: the model page reads the first one's header with its own request.
	const [, second] = await ggufFiles(SHARDED);
	const cutAt = Math.floor(second!.size * 0.4);
	// Trickled (about 1 s to the cut), so the engine has read what arrived before the connection
	// breaks: a fetch body stream that errors drops the chunks still queued in the browser, and a
	// burst could be cut before the engine read a byte of it (a restart from zero, no Range).
	await fault({
		path: second!.path,
		origin: 'cdn',
		cutAfterBytes: cutAt,
		throttleBytesPerSec: cutAt,
		times: 1
	});
	await openModel(page, SHARDED);
	await downloadButton(page).click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	const resumed = (await engineGets()).filter((r) => r.headers['range']);
	expect(resumed).toHaveLength(1);
	expect(rangeStart(resumed[0]!)).toBeGreaterThan(0);
	expect(rangeStart(resumed[0]!)).toBeLessThanOrEqual(cutAt);
});

test('a reload at about half way shows the download going on, not starting over', async ({
	page
}) => {
	const files = await ggufFiles(SHARDED);
	const total = files.reduce((sum, f) => sum + f.size, 0);
	await openModel(page, SHARDED);
	// About 8 s for the whole variant.
	await fault({ origin: 'cdn', throttleBytesPerSec: Math.ceil(total / 3 / 8) });
	await downloadButton(page).click();
	await expect.poll(() => percentShown(page), { timeout: 30_000 }).toBeGreaterThan(0.4);
	// A reload of the last page hands the job to Background Fetch and takes it back: what had
	// arrived past the last committed segment is fetched again, so the bar may step back to the
	// committed bytes, never below.
	const worker = page.context().serviceWorkers()[0]!;
	const [record] = await jobRecords(worker);
	const committed = record!.shards.reduce((sum, shard) => sum + shard.committed, 0) / total;
	expect(committed).toBeGreaterThan(0);
	await page.reload();
	await expect(totalProgress(page).first()).toBeVisible();
	expect(await percentShown(page)).toBeGreaterThanOrEqual(committed);
	await control('faults', 'DELETE');
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	// Each shard was fetched from byte 0 once.
	const fromZero = (await engineGets()).filter((r) => rangeStart(r) === 0);
	expect(fromZero).toHaveLength(files.length);
});

test('the service worker stopped mid-download picks the job up and resumes', async ({ page }) => {
	const files = await ggufFiles(SHARDED);
	const total = files.reduce((sum, f) => sum + f.size, 0);
	await openModel(page, SHARDED);
	await fault({ origin: 'cdn', throttleBytesPerSec: Math.ceil(total / 3 / 20) });
	await downloadButton(page).click();
	// Past the first 1 MiB segment of each shard, so there is committed progress to resume from.
	await expect.poll(() => percentShown(page), { timeout: 30_000 }).toBeGreaterThan(0.45);
	// Stop the running worker version explicitly (DevTools keeps it from idling out), and wait
	// until Chromium reports it stopped.
	const cdp = await page.context().newCDPSession(page);
	type Version = { versionId: string; runningStatus: string };
	const versions = new Map<string, Version>();
	cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }: { versions: Version[] }) => {
		for (const version of updated) versions.set(version.versionId, version);
	});
	await cdp.send('ServiceWorker.enable');
	await expect
		.poll(() => [...versions.values()].some((v) => v.runningStatus === 'running'))
		.toBe(true);
	const running = [...versions.values()].find((v) => v.runningStatus === 'running')!;
	// The page's keep-alive ping may start it again before a poll sees it stopped: every status
	// it reports is kept.
	const statuses: string[] = [];
	cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }: { versions: Version[] }) => {
		for (const version of updated)
			if (version.versionId === running.versionId) statuses.push(version.runningStatus);
	});
	await cdp.send('ServiceWorker.stopWorker', { versionId: running.versionId });
	await expect.poll(() => statuses.some((status) => status.startsWith('stopp'))).toBe(true);
	await control('faults', 'DELETE');
	// The page's keep-alive ping wakes the worker, which picks the job up where it was saved.
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	const gets = await engineGets();
	expect(gets.filter((r) => rangeStart(r) > 0).length).toBeGreaterThan(0);
	expect(gets.filter((r) => rangeStart(r) === 0)).toHaveLength(files.length);
});

test('the browser closed mid-download and opened again resumes where it was', async ({
	baseURL
}) => {
	const files = await ggufFiles(SHARDED);
	const total = files.reduce((sum, f) => sum + f.size, 0);
	const sizeOf = new Map(files.map((f) => [f.path, f.size]));
	// CDN objects are addressed by their SHA-256.
	const fileOf = (r: LoggedRequest) =>
		files.find((f) => new URL(r.url, 'http://cdn').pathname.endsWith(`/${f.sha256}`));
	// A real profile on disk, so IndexedDB, OPFS and the service worker outlive the browser.
	const userDataDir = await mkdtemp(join(tmpdir(), 'citrate-e2e-profile-'));
	const launch = () =>
		chromium.launchPersistentContext(userDataDir, {
			executablePath: findChromium(),
			args: CHROMIUM_ARGS,
			baseURL
		});
	let context: BrowserContext | undefined;
	try {
		context = await launch();
		let page = context.pages()[0] ?? (await context.newPage());
		await openModel(page, SHARDED);
		// About 12 s for the whole variant (each shard on its own throttled response).
		await fault({ origin: 'cdn', throttleBytesPerSec: Math.ceil(total / 3 / 12) });
		await downloadButton(page).click();
		// Past the first committed segment of each shard, so there is saved progress to resume from.
		await expect.poll(() => percentShown(page), { timeout: 30_000 }).toBeGreaterThan(0.45);
		await context.close();
		context = undefined;

		const firstRun = await engineGets();
		expect(firstRun.filter((r) => rangeStart(r) === 0)).toHaveLength(files.length);
		await control('requests', 'DELETE');

		context = await launch();
		page = context.pages()[0] ?? (await context.newPage());
		await page.goto('/library');
		// The saved job comes back with its saved progress (still throttled, so it is seen going on).
		await expect(totalProgress(page).first()).toBeVisible();
		expect(await percentShown(page)).toBeGreaterThan(0.25);
		await control('faults', 'DELETE');
		const card = page.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
		await expect(card).toBeVisible({ timeout: 60_000 });
		for (const file of files)
			await expect(card.getByRole('row', { name: new RegExp(file.path) })).toContainText(
				file.sha256
			);

		const resumed = await engineGets();
		expect(resumed.length).toBeGreaterThan(0);
		// Every shard the second browser fetched, it fetched from where the first one stopped.
		for (const request of resumed) {
			expect(fileOf(request), request.url).toBeDefined();
			expect(rangeStart(request), request.url).toBeGreaterThan(0);
		}
		// The first browser fetched at most each whole shard; the second, only what was left.
		const refetched = resumed.reduce(
			(sum, r) => sum + sizeOf.get(fileOf(r)!.path)! - rangeStart(r),
			0
		);
		expect(refetched).toBeLessThan(total * 0.7);
		expect(total + refetched).toBeLessThan(total * 1.7);
	} finally {
		await context?.close();
		await rm(userDataDir, { recursive: true, force: true });
	}
});

test('a flipped byte fails with DOWNLOAD_HASH_MISMATCH and the model is not usable', async ({
	page
}) => {
	const files = await ggufFiles(SHARDED);
	await fault({ path: files[1]!.path, origin: 'cdn', flipByteAt: 4096 });
	await openModel(page, SHARDED);
	await downloadButton(page).click();
	const alert = page.getByRole('alert').filter({ hasText: 'did not match the SHA-256' });
	await expect(alert).toBeVisible({ timeout: 60_000 });
	// The code is not user text: it is only behind the "Details" disclosure.
	expect(await alert.evaluate((el) => (el as HTMLElement).innerText)).not.toContain(
		'DOWNLOAD_HASH_MISMATCH'
	);
	await alert.getByText('Details').click();
	await expect(alert.getByText('DOWNLOAD_HASH_MISMATCH')).toBeVisible();
	await expect(page.getByRole('button', { name: /^Retry download/ })).toBeVisible();
	await page.goto('/library');
	await expect(page.getByRole('heading', { name: 'No models yet' })).toBeVisible();
	await expect(
		page.getByRole('alert').filter({ hasText: 'did not match the SHA-256' })
	).toBeVisible();
});

test('a download that does not fit the quota is refused up front with a clear message', async ({
	baseURL
}) => {
	// Chromium's StaticStorageQuota feature makes estimate() report usage + 10 GiB whatever the
	// quota (against fingerprinting), so CDP's override would reach the writes but not the
	// estimate; without the feature, estimate() reports the override, as a real small quota would.
	const browser = await chromium.launch({
		executablePath: findChromium(),
		args: [...CHROMIUM_ARGS, '--disable-features=StaticStorageQuota']
	});
	try {
		const page = await (await browser.newContext({ baseURL })).newPage();
		const files = await ggufFiles(SHARDED);
		const size = files.reduce((sum, f) => sum + f.size, 0);
		await openModel(page, SHARDED);
		const estimate = () => page.evaluate(() => navigator.storage.estimate());
		const usage = (await estimate()).usage ?? 0;
		const cdp = await page.context().newCDPSession(page);
		const origin = new URL(baseURL!).origin;
		const quotaSize = usage + Math.floor(size / 2);
		await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
		expect((await estimate()).quota).toBe(quotaSize);
		await control('requests', 'DELETE');

		await downloadButton(page).click();
		const alert = page.getByRole('alert').filter({ hasText: 'STORAGE_QUOTA' });
		await expect(alert).toBeVisible({ timeout: 30_000 });
		await expect(alert).toContainText('Not enough storage: this model needs');
		// Refused before a single byte was asked for.
		expect(await engineGets()).toEqual([]);
		await page.goto('/library');
		await expect(page.getByRole('heading', { name: 'No models yet' })).toBeVisible();

		// With room again, Retry downloads and verifies the model.
		await cdp.send('Storage.overrideQuotaForOrigin', { origin });
		await page.goBack();
		await page
			.getByRole('button', { name: /^(Retry|Download) / })
			.first()
			.click();
		await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	} finally {
		await browser.close();
	}
});

test('a quota error mid-way stops cleanly, and Retry finishes once there is room', async ({
	page,
	baseURL
}) => {
	const files = await ggufFiles(SHARDED);
	const size = files.reduce((sum, f) => sum + f.size, 0);
	await openModel(page, SHARDED);
	// With Chromium's default StaticStorageQuota, estimate() says there is room (usage + 10 GiB)
	// while the browser refuses writes past the overridden quota: the engine's up-front check
	// passes and the writes fail part way, as when the disk fills up during a download.
	const cdp = await page.context().newCDPSession(page);
	const origin = new URL(baseURL!).origin;
	const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
	await cdp.send('Storage.overrideQuotaForOrigin', {
		origin,
		quotaSize: usage + Math.floor(size / 2)
	});
	try {
		await downloadButton(page).click();
		const alert = page.getByRole('alert').filter({ hasText: 'STORAGE_QUOTA' });
		await expect(alert).toBeVisible({ timeout: 30_000 });
		await expect(alert).toContainText('Not enough storage');
		expect((await engineGets()).length).toBeGreaterThan(0);
		await page.goto('/library');
		await expect(page.getByRole('heading', { name: 'No models yet' })).toBeVisible();
	} finally {
		await cdp.send('Storage.overrideQuotaForOrigin', { origin });
	}
	// With room again, Retry finishes the download and it verifies.
	const retry = page.getByRole('button', { name: /^(Retry|Download) / }).first();
	await retry.click();
	await expect(page.getByRole('article', { name: new RegExp(`^${SHARDED}`) })).toBeVisible({
		timeout: 60_000
	});
});

test('two tabs: one set of network requests, both show progress', async ({ page, context }) => {
	const files = await ggufFiles(SHARDED);
	const total = files.reduce((sum, f) => sum + f.size, 0);
	const other = await context.newPage();
	await openModel(page, SHARDED);
	await openModel(other, SHARDED);
	await fault({ origin: 'cdn', throttleBytesPerSec: Math.ceil(total / 3 / 5) });
	await downloadButton(page).click();
	await expect(totalProgress(other).first()).toBeVisible();
	// Asking from the second tab joins the same download.
	await expect.poll(() => percentShown(other), { timeout: 30_000 }).toBeGreaterThan(0);
	await control('faults', 'DELETE');
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	await expect(other.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	const gets = await engineGets();
	expect(gets).toHaveLength(files.length);
	const resolves = ((await control('requests', 'GET')) as LoggedRequest[]).filter(
		(r) =>
			r.origin === 'hub' &&
			r.method === 'GET' &&
			/\/resolve\/.*\.gguf$/.test(r.url) &&
			!/^bytes=\d+-\d+$/.test(r.headers['range'] ?? '')
	);
	expect(resolves).toHaveLength(files.length);
});

test('gated repo: no download without access, the download with a granted token', async ({
	page
}) => {
	await page.goto(`/models/${GATED}`);
	await expect(page.getByText(/gated/).first()).toBeVisible();
	await expect(page.getByRole('button', { name: /^Download / })).toHaveCount(0);

	await page.goto('/settings');
	await page.getByRole('textbox', { name: 'Personal access token' }).fill(ALICE_PAT);
	await page.getByRole('button', { name: 'Save token' }).click();
	await expect(page.getByText('@alice')).toBeVisible();
	const [file] = await ggufFiles(GATED, ALICE_PAT);
	await openModel(page, GATED);
	await downloadButton(page).click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	await page.goto('/library');
	await expect(page.getByRole('article', { name: new RegExp(`^${GATED}`) })).toContainText(
		file!.sha256
	);
	const log = (await control('requests', 'GET')) as LoggedRequest[];
	const resolve = log.filter((r) => r.url.includes('/resolve/') && r.method === 'GET');
	expect(resolve.some((r) => r.origin === 'hub' && r.headers['authorization'])).toBe(true);
	expect(log.filter((r) => r.origin === 'cdn' && r.headers['authorization'])).toEqual([]);
});

// ---- downloads in trouble say so ------------------------------------------------------------

test('a network gone silent says "Waiting for the network", drops the stale speed, then resumes', async ({
	page
}) => {
	const files = await ggufFiles(SHARDED);
	const smallest = Math.min(...files.map((f) => f.size));
	const stallAt = Math.floor(smallest * 0.3);
	// Each shard's response trickles (about 2 s to the stall), then sends nothing more while
	// keeping the connection open: what a dropped Wi-Fi looks like to a running fetch.
	await openModel(page, SHARDED);
	await fault({
		origin: 'cdn',
		stallAfterBytes: stallAt,
		throttleBytesPerSec: Math.ceil(stallAt / 2),
		times: files.length
	});
	await downloadButton(page).click();
	const state = page.getByTestId('download-state').first();
	const summary = page.getByTestId('download-summary').first();
	// Bytes arrive first: a speed is shown.
	await expect(summary).toContainText('/s', { timeout: 30_000 });
	await expect(state).toHaveText(/^Waiting for the network/, { timeout: 30_000 });
	// No speed or time left made up from old bytes.
	await expect(summary).not.toContainText('/s');
	await expect(summary).not.toContainText('left');
	// The engine gives up on the silent requests and resumes each from what it kept.
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 80_000 });
	const resumed = (await engineGets()).filter((r) => rangeStart(r) > 0);
	expect(resumed.length).toBeGreaterThanOrEqual(files.length);
});

test('a busy Hub (503) says so, and the retries back off further each time', async ({ page }) => {
	const files = await ggufFiles(SHARDED);
	const file = files[1]!;
	await openModel(page, SHARDED);
	await fault({ path: file.path, origin: 'hub', status: 503, times: 3 });
	await downloadButton(page).click();
	await expect(page.getByTestId('download-state').first()).toHaveText(
		/^The Hub is busy: retrying in \d+ s$/,
		{ timeout: 30_000 }
	);
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	const log = (await control('requests', 'GET')) as LoggedRequest[];
	const times = log
		.filter(
			(r) =>
				r.origin === 'hub' &&
				r.method === 'GET' &&
				r.url.includes('/resolve/') &&
				decodeURIComponent(r.url).includes(file.path)
		)
		.map((r) => Date.parse(r.time));
	// Three 503s, then the file.
	expect(times).toHaveLength(4);
	const gaps = times.slice(1).map((t, i) => t - times[i]!);
	// No readable Retry-After (CORS hides it): about 1 s, 2 s, 4 s (+ up to half as jitter).
	expect(gaps[0]).toBeGreaterThanOrEqual(950);
	expect(gaps[1]).toBeGreaterThanOrEqual(1950);
	expect(gaps[2]).toBeGreaterThanOrEqual(3950);
});

test('no flash of the Download button between "Verifying" and "Downloaded", nor after a reload', async ({
	page
}) => {
	// Records every Download button that appears in the watched row, however briefly.
	await page.addInitScript(() => {
		const w = window as unknown as { flashes: string[] };
		w.flashes = [];
		new MutationObserver((records) => {
			const id = sessionStorage.getItem('watch-download');
			if (!id) return;
			for (const record of records)
				for (const node of record.addedNodes) {
					if (!(node instanceof Element)) continue;
					if (!node.closest(`[data-download-id="${CSS.escape(id)}"]`)) continue;
					const buttons = [node, ...node.querySelectorAll('button')].filter(
						(el) => el.tagName === 'BUTTON' && el.textContent?.trim() === 'Download'
					);
					if (buttons.length) w.flashes.push(`${performance.now().toFixed(0)} ms`);
				}
		}).observe(document, { childList: true, subtree: true });
	});
	await openModel(page, SHARDED);
	const button = downloadButton(page);
	const id = await button.evaluate((el) =>
		el.closest('[data-download-id]')!.getAttribute('data-download-id')!
	);
	await page.evaluate((id) => sessionStorage.setItem('watch-download', id), id);
	await button.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	expect(await page.evaluate(() => (window as unknown as { flashes: string[] }).flashes)).toEqual(
		[]
	);
	await page.reload();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 30_000 });
	expect(await page.evaluate(() => (window as unknown as { flashes: string[] }).flashes)).toEqual(
		[]
	);
});
