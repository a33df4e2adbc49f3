/**
 * Background Fetch takes over from the download engine when the last Citrate page goes away
 * (Chromium). A real profile (`launchPersistentContext`), kept open while its pages close.
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

const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const hubUrl = `http://127.0.0.1:${hubPort}`;
const SHARDED = 'citrate-test/tiny-llama-sharded-GGUF';

interface LoggedRequest {
	time: string;
	origin: 'hub' | 'cdn';
	method: string;
	url: string;
	headers: Record<string, string>;
}
interface RepoFile {
	path: string;
	size: number;
	sha256: string;
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
const requestLog = async () => (await control('requests', 'GET')) as LoggedRequest[];
const rangeStart = (r: LoggedRequest) =>
	Number(/bytes=(\d+)-/.exec(r.headers['range'] ?? '')?.[1] ?? 0);

async function ggufFiles(repoId: string): Promise<RepoFile[]> {
	const info = (await (await fetch(`${hubUrl}/api/models/${repoId}`)).json()) as { sha: string };
	const tree = (await (
		await fetch(`${hubUrl}/api/models/${repoId}/tree/${info.sha}?recursive=true`)
	).json()) as { type: string; path: string; size: number; lfs?: { oid: string } }[];
	return tree
		.filter((e) => e.type === 'file' && e.path.endsWith('.gguf'))
		.map((e) => ({ path: e.path, size: e.size, sha256: e.lfs?.oid ?? '' }))
		.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const totalProgress = (page: Page) => page.getByRole('progressbar', { name: /^Total progress/ });
async function percentShown(page: Page): Promise<number> {
	const bar = totalProgress(page).first();
	const now = Number(await bar.getAttribute('aria-valuenow'));
	const max = Number(await bar.getAttribute('aria-valuemax'));
	return max > 0 ? now / max : 0;
}

/** The download jobs as the service worker stored them (read inside the worker). */
function jobStates(worker: Worker): Promise<{ state: string; error: string | null }[]> {
	return worker.evaluate(
		() =>
			new Promise((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const get = open.result.transaction('downloads').objectStore('downloads').getAll();
					get.onsuccess = () => {
						resolve(
							(get.result as { state: string; error: { code: string } | null }[]).map((job) => ({
								state: job.state,
								error: job.error?.code ?? null
							}))
						);
						open.result.close();
					};
				};
			})
	);
}

async function withProfile(run: (context: BrowserContext) => Promise<void>, init?: () => void) {
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
async function startDownload(
	context: BrowserContext,
	files: RepoFile[],
	seconds: number,
	atLeast: number
) {
	const page = context.pages()[0] ?? (await context.newPage());
	await page.goto(`/models/${SHARDED}`);
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
function backgroundFetchIds(worker: Worker): Promise<string[]> {
	return worker.evaluate(() =>
		(
			self as unknown as { registration: { backgroundFetch: { getIds(): Promise<string[]> } } }
		).registration.backgroundFetch.getIds()
	);
}

/** Closes every page (the browser stays), once the browser carries the download. */
async function closeEveryPage(context: BrowserContext) {
	const worker = context.serviceWorkers()[0];
	if (worker) await expect.poll(() => backgroundFetchIds(worker)).toHaveLength(1);
	for (const page of context.pages()) {
		await page.goto('about:blank');
		await page.close();
	}
}

test.beforeEach(async () => {
	await control('reset', 'POST');
});

/** In the library: hands the running job to Background Fetch, then closes every page. */
async function continueInBackground(context: BrowserContext, page: Page) {
	await page.goto('/library');
	await page
		.getByRole('button', { name: /^Continue the download of .* in the background$/ })
		.click();
	await expect(page.getByTestId('download-state').first()).toHaveText(
		'Downloading in the background'
	);
	await closeEveryPage(context);
}

const states = async (worker: Worker) => (await jobStates(worker)).map((j) => j.state);

test('handed to Background Fetch at ~40%, every page closed: the rest comes from the committed bytes, from the CDN only, without the token', async () => {
	const files = await ggufFiles(SHARDED);
	await withProfile(async (context) => {
		const { page, worker } = await startDownload(context, files, 16, 0.4);
		await continueInBackground(context, page);
		// The browser finishes it with no page open; the worker verifies and registers it.
		await expect.poll(() => states(worker), { timeout: 90_000 }).toEqual(['done']);
		expect(context.pages()).toHaveLength(0);

		const library = await context.newPage();
		await library.goto('/library');
		const card = library.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
		await expect(card).toBeVisible();
		for (const file of files)
			await expect(card.getByRole('row', { name: new RegExp(file.path) })).toContainText(
				file.sha256
			);

		const log = await requestLog();
		// The token never reaches the CDN, and no URL carries it.
		for (const request of log.filter((r) => r.origin === 'cdn')) {
			expect(request.headers['authorization'], request.url).toBeUndefined();
			expect(request.url).not.toMatch(/hf_/);
		}
		// Each file: from 0 by the engine, then once from where the engine had committed (the
		// browser), without the token.
		const gets = log.filter(
			(r) =>
				r.origin === 'cdn' &&
				r.method === 'GET' &&
				!/^bytes=\d+-\d+$/.test(r.headers['range'] ?? '')
		);
		for (const file of files) {
			const starts = gets
				.filter((r) => new URL(r.url).pathname.endsWith(`/${file.sha256}`))
				.map(rangeStart)
				.sort((a, b) => a - b);
			// (The page may have read a file's start on its own: only one request starts later.)
			expect(starts[0], file.path).toBe(0);
			expect(
				starts.filter((start) => start > 0),
				file.path
			).toHaveLength(1);
		}
	});
});

test('cancel from Citrate while a background fetch runs aborts it and deletes its bytes', async () => {
	const files = await ggufFiles(SHARDED);
	await withProfile(async (context) => {
		const { page, worker } = await startDownload(context, files, 60, 0.05);
		await continueInBackground(context, page);
		expect(await states(worker)).toEqual(['background']);
		const library = await context.newPage();
		await library.goto('/library');
		const job = library.getByRole('article', { name: new RegExp(`^Download of ${SHARDED}`) });
		await expect(job.getByTestId('download-state')).toHaveText('Downloading in the background');
		await job.getByRole('button', { name: /^Cancel download/ }).click();
		await expect(job).toHaveCount(0);
		await expect.poll(() => states(worker)).toEqual([]);
		const left = await worker.evaluate(async () => {
			const manager = (
				self as unknown as {
					registration: { backgroundFetch: { getIds(): Promise<string[]> } };
				}
			).registration.backgroundFetch;
			let files = 0;
			const walk = async (dir: FileSystemDirectoryHandle): Promise<void> => {
				for await (const [, entry] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>)
					if (entry.kind === 'file') files++;
					else await walk(entry as FileSystemDirectoryHandle);
			};
			try {
				await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('models'));
			} catch {
				// No models folder: nothing stored.
			}
			return { ids: await manager.getIds(), files };
		});
		expect(left).toEqual({ ids: [], files: 0 });
	});
});

test('without Background Fetch the library says downloads continue only while Citrate is open', async () => {
	await withProfile(
		async (context) => {
			const page = context.pages()[0] ?? (await context.newPage());
			await page.goto('/library');
			await expect(page.getByTestId('downloads-background-note')).toHaveText(
				/continue only while Citrate is\s+open/
			);
		},
		() => {
			delete (window as unknown as { BackgroundFetchManager?: unknown }).BackgroundFetchManager;
		}
	);
});
