/**
 * Background Fetch takes over from the download engine when the last Citrate page goes away
 * (Chromium). A real profile (`launchPersistentContext`), kept open while its pages close.
 */
import { expect, test } from '@playwright/test';
import {
	SHARDED,
	backgroundFetchIds,
	closeTabs,
	continueInBackground,
	expectNoTokenOnCdn,
	expectTheBrowsersLast,
	fileGetsIn,
	control,
	expectVerifiedAndChats,
	ggufFiles,
	jobRecords,
	warmUpBackgroundFetch,
	rangeStart,
	requestLog,
	startDownload,
	states,
	withProfile
} from './background-fetch';

test.beforeEach(async () => {
	await control('reset', 'POST');
});

test('handed to Background Fetch at ~40%, every page closed: the rest comes from the committed bytes, from the CDN only, without the token', async () => {
	test.setTimeout(420_000);
	const files = await ggufFiles(SHARDED);
	await withProfile(async (context) => {
		// A new profile starts its first background fetch late (it failed CI twice, waiting 90 s).
		await warmUpBackgroundFetch(context);
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
		expectNoTokenOnCdn(log);
		// Each file: from 0 by the engine, then once from where the engine had committed (the
		// browser), without the token.
		const gets = fileGetsIn(log);
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
		expectTheBrowsersLast(gets, files);
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

test('closing every tab at ~50% hands the download to Background Fetch on its own: it goes on from the committed bytes, verifies and chats', async () => {
	test.setTimeout(420_000);
	const files = await ggufFiles(SHARDED);
	await withProfile(async (context) => {
		await warmUpBackgroundFetch(context);
		const { worker } = await startDownload(context, files, 16, 0.5);
		// Nothing clicked: the tabs just close.
		await closeTabs(context);
		expect(context.pages()).toHaveLength(0);
		// The last page told the worker, which follows the fetch that page started as it went away.
		// When the browser takes none, the job's record says why (the page reports a refused fetch).
		const explain = async (error: unknown) => {
			console.log('job records:', JSON.stringify(await jobRecords(worker)));
			throw error;
		};
		await expect
			.poll(() => states(worker), { timeout: 30_000 })
			.toEqual(['background'])
			.catch(explain);
		await expect
			.poll(() => backgroundFetchIds(worker), { timeout: 30_000 })
			.toHaveLength(1)
			.catch(explain);
		const [handed] = await jobRecords(worker);
		expect(handed!.state).toBe('background');
		const from = new Map(handed!.background!.files.map((file) => [file.path, file.start]));
		// Each unfinished file goes on from the byte the engine had committed when it stopped.
		for (const shard of handed!.shards)
			if (shard.committed < shard.size)
				expect(from.get(shard.path), shard.path).toBe(shard.committed);
		await expect.poll(() => states(worker), { timeout: 150_000 }).toEqual(['done']);
		expect(context.pages()).toHaveLength(0);

		await expectVerifiedAndChats(context, files);
		const log = await requestLog();
		expectNoTokenOnCdn(log);
		// The browser asked for each unfinished file once, from the committed offset.
		const gets = fileGetsIn(log);
		for (const file of files) {
			const later = gets
				.filter((r) => new URL(r.url).pathname.endsWith(`/${file.sha256}`))
				.map(rangeStart)
				.filter((start) => start > 0);
			const start = from.get(file.path);
			if (start === undefined) continue;
			expect(later, file.path).toEqual(start > 0 ? [start] : []);
		}
		expectTheBrowsersLast(
			gets,
			files.filter((file) => (from.get(file.path) ?? 0) > 0)
		);
	});
});
