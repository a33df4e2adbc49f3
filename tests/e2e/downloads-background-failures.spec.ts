/**
 * Background Fetch when things go wrong (Chromium): the browser closed and relaunched mid-way, a
 * byte flipped on the way; and a gated model, whose token must only ever reach the Hub.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import {
	SHARDED,
	backgroundFetchIds,
	continueInBackground,
	expectTheBrowsersLast,
	fileGetsIn,
	control,
	ggufFiles,
	hubUrl,
	jobRecords,
	jobStates,
	launchProfile,
	rangeStart,
	requestLog,
	startDownload,
	states,
	storedFiles,
	warmUpBackgroundFetch,
	withProfile
} from './background-fetch';

const GATED = 'citrate-test/gated-llama-GGUF';
const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';

test.beforeEach(async () => {
	await control('reset', 'POST');
});
test.setTimeout(300_000);

/** The engine's and the browser's requests for files (the model page reads headers with bounded ranges). */
const fileGets = async () => fileGetsIn(await requestLog());

test('the browser closed and relaunched mid background fetch: the engine resumes from the last committed segment and verifies', async () => {
	const files = await ggufFiles(SHARDED);
	const userDataDir = await mkdtemp(join(tmpdir(), 'citrate-e2e-bgfetch-relaunch-'));
	let context: BrowserContext | undefined;
	try {
		context = await launchProfile(userDataDir);
		const { page, worker } = await startDownload(context, files, 30, 0.3);
		await continueInBackground(context, page);
		const [handed] = await jobRecords(worker);
		expect(handed!.state).toBe('background');
		const committed = new Map(handed!.shards.map((shard) => [shard.path, shard.committed]));
		// The browser is closed while it carries the rest.
		await context.close();
		context = undefined;
		await control('requests', 'DELETE');
		await control('faults', 'DELETE');

		context = await launchProfile(userDataDir);
		const library = context.pages()[0] ?? (await context.newPage());
		await library.goto('/library');
		const card = library.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
		await expect(card).toBeVisible({ timeout: 90_000 });
		for (const file of files)
			await expect(card.getByRole('row', { name: new RegExp(file.path) })).toContainText(
				file.sha256
			);
		// Each unfinished file went on from the byte committed before the hand-over, once.
		const gets = await fileGets();
		for (const file of files) {
			const from = committed.get(file.path)!;
			if (from === file.size) continue;
			const starts = gets
				.filter((r) => new URL(r.url).pathname.endsWith(`/${file.sha256}`))
				.map(rangeStart);
			expect(starts, file.path).toEqual([from]);
		}
	} finally {
		await context?.close();
		await rm(userDataDir, { recursive: true, force: true });
	}
});

test('a byte flipped during the background transfer: DOWNLOAD_HASH_MISMATCH shown, the bytes deleted, nothing usable registered', async () => {
	test.setTimeout(420_000);
	const files = await ggufFiles(SHARDED);
	await withProfile(async (context) => {
		// A new profile starts its first background fetch late (a fresh-clone run waited 150 s here).
		await warmUpBackgroundFetch(context);
		const { page, worker } = await startDownload(context, files, 16, 0.3);
		// Near the end of the second file: only the browser's request carries that byte.
		const target = files[1]!;
		const total = files.reduce((sum, f) => sum + f.size, 0);
		const throttleBytesPerSec = Math.ceil(total / files.length / 16);
		await control('faults', 'DELETE');
		await control('faults', 'POST', [
			{ path: target.path, origin: 'cdn', flipByteAt: target.size - 1000, throttleBytesPerSec },
			{ origin: 'cdn', throttleBytesPerSec }
		]);
		await continueInBackground(context, page);
		await expect
			.poll(() => jobStates(worker), { timeout: 150_000 })
			.toMatchObject([{ state: 'failed', error: 'DOWNLOAD_HASH_MISMATCH' }]);
		// The flipped byte came with the browser's request (from the committed byte, not 0).
		const flipped = (await fileGets()).filter((r) =>
			new URL(r.url).pathname.endsWith(`/${target.sha256}`)
		);
		expect(flipped.map(rangeStart).filter((start) => start > 0)).toHaveLength(1);
		expectTheBrowsersLast(await fileGets(), [target]);
		// Its bytes are gone; nothing usable is registered.
		expect((await storedFiles(worker)).filter((path) => path.includes(target.path))).toEqual([]);
		const library = await context.newPage();
		await library.goto('/library');
		await expect(library.getByRole('heading', { name: 'No models yet' })).toBeVisible();
		const alert = library.getByRole('alert').filter({ hasText: 'did not match the SHA-256' });
		await expect(alert).toBeVisible();
		expect(await alert.evaluate((el) => (el as HTMLElement).innerText)).not.toContain(
			'DOWNLOAD_HASH_MISMATCH'
		);
		await alert.getByText('Details').click();
		await expect(alert.getByText('DOWNLOAD_HASH_MISMATCH')).toBeVisible();
		expect(await backgroundFetchIds(worker)).toEqual([]);
	});
});

async function signIn(page: Page) {
	await page.getByRole('button', { name: 'Sign in with Hugging Face' }).first().click();
	await expect(page).toHaveURL(new RegExp(`^${new URL(hubUrl).origin}/oauth/interaction/`));
	await page.getByLabel('Username').fill('alice');
	await page.getByLabel('Password').fill('alice-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'Authorize' }).click();
}

test('a gated model downloads in the background: the token goes to the Hub to resolve, never to the CDN nor into a URL', async () => {
	const files = await ggufFiles(GATED, ALICE_PAT);
	await withProfile(async (context) => {
		await warmUpBackgroundFetch(context);
		const page = context.pages()[0] ?? (await context.newPage());
		await page.goto(`/models/${GATED}`);
		await signIn(page);
		await expect(page.getByRole('button', { name: /^Account: / })).toBeVisible({
			timeout: 30_000
		});
		if (new URL(page.url()).pathname !== `/models/${GATED}`) await page.goto(`/models/${GATED}`);
		const { worker } = await startDownload(context, files, 16, 0.3, GATED);
		await continueInBackground(context, page);
		await expect
			.poll(
				async () => {
					const info = await worker.evaluate(async () => {
						const manager = (
							self as unknown as {
								registration: {
									backgroundFetch: {
										get(id: string): Promise<{ downloaded: number; result: string } | undefined>;
										getIds(): Promise<string[]>;
									};
								};
							}
						).registration.backgroundFetch;
						const ids = await manager.getIds();
						const one = ids[0] ? await manager.get(ids[0]) : undefined;
						return { ids: ids.length, downloaded: one?.downloaded, result: one?.result };
					});
					return `${(await states(worker)).join()} ${JSON.stringify(info)}`;
				},
				{ timeout: 150_000 }
			)
			.toMatch(/^done /);

		const library = await context.newPage();
		await library.goto('/library');
		const card = library.getByRole('article', { name: new RegExp(`^${GATED}`) });
		for (const file of files)
			await expect(card.getByRole('row', { name: new RegExp(file.path) })).toContainText(
				file.sha256
			);

		const log = await requestLog();
		const bearer = log
			.map((r) => r.headers['authorization'])
			.find((value): value is string => /^Bearer hf_oauth_/.test(value ?? ''));
		expect(bearer, 'the app used its OAuth token').toBeTruthy();
		const token = bearer!.slice('Bearer '.length);
		// The worker resolved the file at the Hub with the token (for the browser's request)...
		expect(
			log.some(
				(r) =>
					r.origin === 'hub' &&
					r.method === 'HEAD' &&
					r.url.includes('/resolve/') &&
					r.headers['authorization'] === bearer
			)
		).toBe(true);
		// ...and the browser fetched the rest from the CDN, from the committed byte, without it.
		const rest = (await fileGets()).filter((r) => rangeStart(r) > 0);
		expect(rest).toHaveLength(files.length);
		expectTheBrowsersLast(await fileGets(), files);
		for (const request of log) {
			expect(request.url, 'never in a URL').not.toContain(token);
			if (request.origin === 'cdn')
				expect(request.headers['authorization'], request.url).toBeUndefined();
			for (const [name, value] of Object.entries(request.headers))
				if (String(value).includes(token)) {
					expect(name).toBe('authorization');
					expect(request.origin).toBe('hub');
				}
		}
	});
});
