/**
 * What the Background Fetch specs share: the emulator's control API and request log, a real
 * profile (`launchPersistentContext`) kept open while its pages close, a throttled download of
 * the sharded model, and the jobs and background fetches as the service worker sees them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	chromium,
	expect,
	test,
	type BrowserContext,
	type Page,
	type Worker
} from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium-path.mjs';

export const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
export const hubUrl = `http://127.0.0.1:${hubPort}`;
export const SHARDED = 'citrate-test/tiny-llama-sharded-GGUF';

export interface LoggedRequest {
	time: string;
	origin: 'hub' | 'cdn';
	method: string;
	url: string;
	headers: Record<string, string>;
	/** The answer's status, once it ended. */
	status?: number;
}
export interface RepoFile {
	path: string;
	size: number;
	sha256: string;
}

export async function control(path: string, method: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status}`);
	return response.headers.get('content-type')?.includes('json') ? response.json() : null;
}
export const fault = (spec: Record<string, unknown>) => control('faults', 'POST', spec);
export const requestLog = async () => (await control('requests', 'GET')) as LoggedRequest[];

/** The token never reaches the CDN, and no URL carries it. */
export function expectNoTokenOnCdn(log: LoggedRequest[]) {
	for (const request of log.filter((r) => r.origin === 'cdn')) {
		expect(request.headers['authorization'], request.url).toBeUndefined();
		expect(request.url).not.toMatch(/hf_/);
	}
}

/** The engine's and the browser's GETs of files (the model page reads headers with bounded ranges). */
export const fileGetsIn = (log: LoggedRequest[]) =>
	log.filter(
		(r) =>
			r.origin === 'cdn' && r.method === 'GET' && !/^bytes=\d+-\d+$/.test(r.headers['range'] ?? '')
	);
export const rangeStart = (r: LoggedRequest) =>
	Number(/bytes=(\d+)-/.exec(r.headers['range'] ?? '')?.[1] ?? 0);

export async function ggufFiles(repoId: string, token?: string): Promise<RepoFile[]> {
	const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
	const info = (await (await fetch(`${hubUrl}/api/models/${repoId}`, { headers })).json()) as {
		sha: string;
	};
	const tree = (await (
		await fetch(`${hubUrl}/api/models/${repoId}/tree/${info.sha}?recursive=true`, { headers })
	).json()) as { type: string; path: string; size: number; lfs?: { oid: string } }[];
	return tree
		.filter((e) => e.type === 'file' && e.path.endsWith('.gguf'))
		.map((e) => ({ path: e.path, size: e.size, sha256: e.lfs?.oid ?? '' }))
		.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export const totalProgress = (page: Page) =>
	page.getByRole('progressbar', { name: /^Total progress/ });
export async function percentShown(page: Page): Promise<number> {
	const bar = totalProgress(page).first();
	const now = Number(await bar.getAttribute('aria-valuenow'));
	const max = Number(await bar.getAttribute('aria-valuemax'));
	return max > 0 ? now / max : 0;
}

export interface StoredJob {
	state: string;
	error: string | null;
	message: string | null;
	/** Bytes committed per file. */
	committed: number[];
}

/** The download jobs as the service worker stored them (read inside the worker). */
export async function jobStates(worker: Worker): Promise<StoredJob[]> {
	return (await jobRecords(worker)).map((job) => ({
		state: job.state,
		error: job.error?.code ?? null,
		message: job.error?.message ?? null,
		committed: job.shards.map((shard) => shard.committed)
	}));
}

/** A persistent profile in `userDataDir` (launched again over the same folder: a relaunch). */
export function launchProfile(userDataDir: string) {
	return chromium.launchPersistentContext(userDataDir, {
		executablePath: findChromium(),
		args: CHROMIUM_ARGS,
		baseURL: test.info().project.use.baseURL
	});
}

/** Every file the origin's OPFS holds under `models/` (paths). */
export function storedFiles(worker: Worker): Promise<string[]> {
	return worker.evaluate(async () => {
		const paths: string[] = [];
		const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
			for await (const [name, entry] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>)
				if (entry.kind === 'file') paths.push(prefix + name);
				else await walk(entry as FileSystemDirectoryHandle, `${prefix}${name}/`);
		};
		try {
			await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('models'), '');
		} catch {
			// No models folder: nothing stored.
		}
		return paths;
	});
}

export async function withProfile(
	run: (context: BrowserContext) => Promise<void>,
	init?: () => void
) {
	const userDataDir = await mkdtemp(join(tmpdir(), 'citrate-e2e-bgfetch-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: findChromium(),
		args: CHROMIUM_ARGS,
		baseURL: test.info().project.use.baseURL
	});
	try {
		if (init) await context.addInitScript(init);
		await run(context);
	} finally {
		await context.close();
		await rm(userDataDir, { recursive: true, force: true });
	}
}

/** Opens the model, starts its download throttled (`seconds` for the whole variant), waits for `atLeast`. */
export async function startDownload(
	context: BrowserContext,
	files: RepoFile[],
	seconds: number,
	atLeast: number,
	repoId = SHARDED
) {
	const page = context.pages()[0] ?? (await context.newPage());
	if (new URL(page.url(), 'http://x').pathname !== `/models/${repoId}`)
		await page.goto(`/models/${repoId}`);
	await expect(page.getByRole('region', { name: 'GGUF metadata' })).toBeVisible();
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await expect(page.getByText('Reading the GGUF header')).toHaveCount(0);
	const total = files.reduce((sum, f) => sum + f.size, 0);
	await fault({ origin: 'cdn', throttleBytesPerSec: Math.ceil(total / files.length / seconds) });
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect.poll(() => percentShown(page), { timeout: 30_000 }).toBeGreaterThan(atLeast);
	const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
	return { page, worker };
}

/** The ids of the background fetches the browser runs for the origin. */
export function backgroundFetchIds(worker: Worker): Promise<string[]> {
	return worker.evaluate(() =>
		(
			self as unknown as { registration: { backgroundFetch: { getIds(): Promise<string[]> } } }
		).registration.backgroundFetch.getIds()
	);
}

/** Closes every page (the browser stays), once the browser carries the download. */
export async function closeEveryPage(context: BrowserContext) {
	const worker = context.serviceWorkers()[0];
	if (worker) await expect.poll(() => backgroundFetchIds(worker)).toHaveLength(1);
	for (const page of context.pages()) {
		await page.goto('about:blank');
		await page.close();
	}
}

/** In the library: hands the running job to Background Fetch, then closes every page. */
export async function continueInBackground(context: BrowserContext, page: Page) {
	// Through the app's own link, as a person does (a full page load would hand the job over and
	// take it back at once: see `pageSeen`).
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Library' })
		.click();
	await page
		.getByRole('button', { name: /^Continue the download of .* in the background$/ })
		.click();
	await expect(page.getByTestId('download-state').first()).toHaveText(
		'Downloading in the background'
	);
	await closeEveryPage(context);
}

export const states = async (worker: Worker) => (await jobStates(worker)).map((j) => j.state);

/** Closes every page as a person closes tabs: nothing clicked, no navigation first. */
export async function closeTabs(context: BrowserContext) {
	for (const page of context.pages()) await page.close();
}

/** The job records as the service worker keeps them (committed bytes, the background transfer). */
export function jobRecords(worker: Worker): Promise<
	{
		state: string;
		error: { code: string; message: string } | null;
		shards: { path: string; committed: number; size: number; segmentBytes: number }[];
		background: { fetchId: string; files: { path: string; start: number }[] } | null;
	}[]
> {
	return worker.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const get = open.result.transaction('downloads').objectStore('downloads').getAll();
					get.onsuccess = () => {
						resolve(get.result);
						open.result.close();
					};
				};
			})
	);
}

/** Opens the library: the model is there with each file verified; then it chats. */
export async function expectVerifiedAndChats(context: BrowserContext, files: RepoFile[]) {
	const page = await context.newPage();
	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
	await expect(card).toBeVisible();
	for (const file of files)
		await expect(card.getByRole('row', { name: new RegExp(file.path) })).toContainText(file.sha256);
	await page.goto('/');
	const picker = page.getByLabel('Downloaded model');
	const option = picker.locator('option', { hasText: 'tiny-llama-sharded-GGUF' });
	await picker.selectOption({ value: (await option.getAttribute('value'))! });
	await expect(page.getByRole('status', { name: 'Model status' })).toContainText(/Context \d+/, {
		timeout: 60_000
	});
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill('Hi');
	await box.press('Enter');
	const reply = page.getByRole('article', { name: 'Assistant message' }).first();
	await expect
		.poll(async () => ((await reply.textContent()) ?? '').trim().length, { timeout: 60_000 })
		.toBeGreaterThan(0);
	return page;
}

/**
 * Runs one small background fetch to its end. A browser just launched with a new profile starts
 * its first background fetches late (seen here: registered or started after 30–150 s, while a
 * browser that already ran one starts at once): the specs wait for that once, up front.
 */
export async function warmUpBackgroundFetch(context: BrowserContext) {
	const page = context.pages()[0] ?? (await context.newPage());
	await page.goto('/library');
	const began = Date.now();
	await page.evaluate(async (url) => {
		const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
			backgroundFetch: {
				fetch(id: string, requests: string[]): Promise<unknown>;
				getIds(): Promise<string[]>;
			};
		};
		await registration.backgroundFetch.fetch('warm-up', [url]);
	}, `${hubUrl}/api/models/${SHARDED}`);
	const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
	await expect.poll(() => backgroundFetchIds(worker), { timeout: 200_000 }).toEqual([]);
	test.info().annotations.push({
		type: 'background fetch warm-up',
		description: `${Date.now() - began} ms`
	});
}

/**
 * The browser's request (from a committed byte) is the last for each file: what it brought was
 * used, not fetched again by the engine.
 */
export function expectTheBrowsersLast(gets: LoggedRequest[], files: RepoFile[]) {
	for (const file of files) {
		const starts = gets
			.filter((r) => new URL(r.url).pathname.endsWith(`/${file.sha256}`))
			.map(rangeStart);
		expect(starts.at(-1), `${file.path}: ${starts.join(', ')}`).toBeGreaterThan(0);
	}
}
