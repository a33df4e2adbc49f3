/**
 * Discovering models against the Hub emulator: search, paging, a model page with its variants,
 * fit verdicts and GGUF metadata; gated states; a 429 that recovers; cached results offline;
 * a model card full of XSS probes that renders inert.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const hubUrl = `http://127.0.0.1:${hubPort}`;
const GATED = 'citrate-test/gated-llama-GGUF';
const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';
const BOB_PAT = 'hf_BobReadTokenXX0123456789abcdefghij';
const VERDICT = /^(Fits|Tight|Won’t fit)$/;

async function control(path: string, method: string, body?: unknown): Promise<void> {
	const response = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status}`);
}

async function signInWithToken(page: Page, token: string, user: string) {
	await page.goto('/settings');
	await page.getByRole('textbox', { name: 'Personal access token' }).fill(token);
	await page.getByRole('button', { name: 'Save token' }).click();
	await expect(page.getByText(`@${user}`).first()).toBeVisible();
}

const results = (page: Page) =>
	page.getByRole('list', { name: 'Search results' }).getByRole('article');

async function searchFor(page: Page, text: string) {
	await page.getByRole('searchbox', { name: 'Search models' }).fill(text);
}

test.beforeEach(async () => {
	await control('reset', 'POST');
});

test('search, page, open a model: variants with sizes and fit verdicts, GGUF metadata', async ({
	page
}) => {
	await page.goto('/models');
	await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();

	// Recommended models (browser-sized first, then larger ones), each with a verdict for its
	// recommended variant.
	const recommended = page.getByRole('list', { name: 'Larger models' }).getByRole('article');
	await expect(recommended).toHaveCount(5);
	for (const id of [
		'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF',
		'Qwen/Qwen2.5-Coder-14B-Instruct-GGUF',
		'TheBloke/deepseek-coder-6.7B-instruct-GGUF',
		'bartowski/starcoder2-15b-instruct-v0.1-GGUF',
		'TheBloke/CodeLlama-7B-Instruct-GGUF'
	]) {
		const card = page.getByRole('article', { name: id });
		await expect(card.getByText(VERDICT)).toBeVisible({ timeout: 30_000 });
	}

	// Search (GGUF only, text generation, by downloads), then the next page.
	await searchFor(page, 'coder');
	await expect(results(page)).toHaveCount(20);
	await page.getByRole('button', { name: 'Load more' }).click();
	await expect.poll(() => results(page).count()).toBeGreaterThan(20);

	// GGUF only (the default) hides repos without GGUF files; turning it off shows them.
	await searchFor(page, 'not-gguf-model');
	await expect(page.getByRole('heading', { name: 'No models found' })).toBeVisible();
	const ggufOnly = page.getByRole('switch', { name: 'GGUF only' });
	await expect(ggufOnly).toBeChecked();
	await page.getByText('GGUF only', { exact: true }).click();
	await expect(ggufOnly).not.toBeChecked();
	await expect(results(page)).toHaveCount(1);
	await expect(page.getByRole('article', { name: 'citrate-test/not-gguf-model' })).toBeVisible();
	await page.getByText('GGUF only', { exact: true }).click();
	await expect(ggufOnly).toBeChecked();
	await expect(page.getByRole('heading', { name: 'No models found' })).toBeVisible();

	await searchFor(page, 'coder');
	await expect(results(page)).toHaveCount(20);
	await results(page)
		.and(page.getByRole('article', { name: 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF', exact: true }))
		.getByRole('link')
		.click();
	await expect(page).toHaveURL(/\/models\/Qwen\/Qwen2\.5-Coder-7B-Instruct-GGUF$/);
	await expect(
		page.getByRole('heading', { name: 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF', level: 1 })
	).toBeVisible();
	await expect(page.getByTestId('revision')).toHaveText(/^[0-9a-f]{10}$/);
	await expect(page.getByText('apache-2.0', { exact: true })).toBeVisible();

	const table = page.getByRole('table');
	const q4 = table.locator('tr[data-variant="Q4_K_M"]');
	await expect(q4).toContainText('Recommended');
	// File size in decimal units, as the Hub shows it; the fit estimate (memory) in binary ones.
	await expect(q4.getByRole('cell').nth(0)).toHaveText(/^\d+(\.\d+)? GB$/);
	await expect(q4).toContainText(/\d+(\.\d+)? GiB/);
	await expect(q4.getByText(VERDICT)).toBeVisible();
	const q8 = table.locator('tr[data-variant="Q8_0"]');
	await expect(q8).toContainText('Legacy');
	await expect(q8).toContainText(/no SIMD kernels/);
	// The split F16 variant is one row with its shard count.
	await expect(table.locator('tr[data-variant="F16"]')).toContainText('4 shards');

	// The numbers behind a verdict, for the chosen context.
	await q4.getByText(VERDICT).click();
	// The app's q8_0 KV cache: 28 layers × 4 KV heads × 256 × 4,096 tokens × 34/32 bytes.
	await expect(q4).toContainText('119 MiB KV cache (4,096 tokens)');
	await page.getByRole('combobox', { name: 'Context length' }).selectOption('32768');
	await expect(q4).toContainText('952 MiB KV cache (32,768 tokens)');

	const metadata = page.getByRole('region', { name: 'GGUF metadata' });
	await expect(metadata).toContainText('qwen2');
	const value = (name: string) =>
		metadata
			.locator('div')
			.filter({ has: page.getByText(name, { exact: true }) })
			.locator('dd');
	await expect(value('Layers')).toHaveText('28');
	await expect(value('KV heads')).toHaveText('4');
	await expect(value('Context length')).toHaveText('32,768');
	await expect(value('Chat template')).toHaveText('Present');
});

test('gated repo: signed out, signed in without a grant, signed in with one', async ({
	browser
}) => {
	const anonymous = await browser.newPage();
	await anonymous.goto(`/models/${GATED}`);
	await expect(anonymous.getByText('Gated', { exact: true }).first()).toBeVisible();
	const signIn = anonymous.getByRole('link', { name: 'Sign in to download' });
	await expect(signIn).toBeVisible();
	await expect(signIn).toHaveAttribute('href', '/settings');
	await anonymous.close();

	const bobContext = await browser.newContext();
	const bob = await bobContext.newPage();
	await signInWithToken(bob, BOB_PAT, 'bob');
	await bob.goto(`/models/${GATED}`);
	const request = bob.getByRole('link', { name: 'Request access on Hugging Face' });
	await expect(request).toBeVisible();
	await expect(request).toHaveAttribute('href', `${hubUrl}/${GATED}`);
	await expect(bob.getByRole('link', { name: 'Sign in to download' })).toHaveCount(0);
	await bobContext.close();

	const aliceContext = await browser.newContext();
	const alice = await aliceContext.newPage();
	await signInWithToken(alice, ALICE_PAT, 'alice');
	await alice.goto(`/models/${GATED}`);
	await expect(alice.getByText('You have access to this gated model')).toBeVisible();
	await expect(alice.getByRole('link', { name: 'Request access on Hugging Face' })).toHaveCount(0);
	// With access, the header of the gated file is read too.
	await expect(alice.getByRole('region', { name: 'GGUF metadata' })).toContainText('llama');
	await aliceContext.close();
});

test('a 429 on search shows the retry state and recovers by itself', async ({ page }) => {
	await page.goto('/models');
	await expect(
		page.getByRole('article', { name: 'TheBloke/CodeLlama-7B-Instruct-GGUF' }).getByText(VERDICT)
	).toBeVisible({
		timeout: 30_000
	});
	await control('faults', 'POST', {
		path: '/api/models',
		status: 429,
		retryAfterSeconds: 2,
		times: 1
	});
	await searchFor(page, 'llama');
	await expect(
		page.getByRole('status').filter({ hasText: /Rate limited — retrying in \d+ s/ })
	).toBeVisible();
	await expect(results(page).first()).toBeVisible({ timeout: 30_000 });
	await expect(page.getByText(/Rate limited/)).toHaveCount(0);

	// The model page does the same.
	await control('faults', 'POST', {
		path: '/api/models/citrate-test/tiny-llama-GGUF',
		status: 429,
		retryAfterSeconds: 2,
		times: 1
	});
	await page.goto('/models/citrate-test/tiny-llama-GGUF');
	await expect(page.getByText(/Rate limited — retrying in \d+ s/)).toBeVisible();
	await expect(page.locator('tr[data-variant="Q4_K_M"]')).toBeVisible({ timeout: 30_000 });
});

test('offline: results seen before come back from the cache, marked cached', async ({
	page,
	context
}) => {
	await page.goto('/models');
	await searchFor(page, 'coder');
	await expect(results(page)).toHaveCount(20);
	const online = await results(page).first().getAttribute('aria-label');
	await searchFor(page, 'tiny');
	await expect(results(page).first()).toBeVisible();

	await context.setOffline(true);
	await searchFor(page, 'coder');
	await expect(page.getByText(/^Cached/)).toBeVisible();
	await expect(results(page)).toHaveCount(20);
	await expect(results(page).first()).toHaveAttribute('aria-label', online ?? '');

	await searchFor(page, 'never searched before');
	await expect(page.getByRole('alert')).toContainText('You are offline');
	await context.setOffline(false);
});

test('offline after a reload: the shell, cached search results and a cached model page', async ({
	page,
	context
}) => {
	const MODEL = 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF';
	await page.goto('/models');
	// The service worker has precached the shell and controls the page.
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
	await searchFor(page, 'coder');
	await expect(results(page)).toHaveCount(20);
	const online = await results(page).allTextContents();
	await results(page)
		.and(page.getByRole('article', { name: MODEL, exact: true }))
		.getByRole('link')
		.click();
	await expect(page.getByRole('heading', { name: MODEL, level: 1 })).toBeVisible();
	const metadata = page.getByRole('region', { name: 'GGUF metadata' });
	await expect(metadata).toContainText('qwen2');
	await expect(page.getByRole('region', { name: 'Model card' })).toContainText('GGUF');
	const revision = await page.getByTestId('revision').textContent();
	await expect(page.getByText('Cached (offline)')).toHaveCount(0);

	await context.setOffline(true);
	try {
		await page.goto('/models');
		await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
		await searchFor(page, 'coder');
		await expect(page.getByText(/^Cached/)).toBeVisible();
		await expect(results(page)).toHaveCount(20);
		expect(await results(page).allTextContents()).toEqual(online);

		await results(page)
			.and(page.getByRole('article', { name: MODEL, exact: true }))
			.getByRole('link')
			.click();
		await expect(page).toHaveURL(new RegExp(`/models/${MODEL.replace(/\./g, '\\.')}$`));
		for (const reload of [false, true]) {
			if (reload) await page.reload();
			await expect(page.getByRole('heading', { name: MODEL, level: 1 })).toBeVisible();
			await expect(page.getByText('Cached (offline)')).toBeVisible();
			await expect(page.getByTestId('revision')).toHaveText(revision ?? '');
			const q4 = page.getByRole('table').locator('tr[data-variant="Q4_K_M"]');
			await expect(q4).toContainText(/\d+(\.\d+)? GiB/);
			await expect(metadata).toContainText('qwen2');
			await expect(page.getByRole('region', { name: 'Model card' })).toContainText('GGUF');
		}
	} finally {
		await context.setOffline(false);
	}
});

test('a model card with script, onerror and javascript: links renders inert', async ({ page }) => {
	const dialogs: string[] = [];
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	await page.goto('/models/citrate-test/xss-readme-GGUF');
	const card = page.getByRole('region', { name: 'Model card' });
	await expect(card.getByText('Safe text after the probes.')).toBeVisible();
	await expect(card.locator('script, iframe')).toHaveCount(0);
	for (const link of await card.getByRole('link').all()) {
		const href = (await link.getAttribute('href')) ?? '';
		expect(href.toLowerCase()).not.toContain('javascript:');
		if (href) expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
	}
	expect(await card.innerHTML()).not.toMatch(/onerror/i);
	// The javascript: link lost its href: clicking its text does nothing.
	await card.getByText('click me').click();
	await page.waitForTimeout(300);
	expect(
		await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)
	).toBeUndefined();
	expect(dialogs).toEqual([]);
});

test('the models pages pass axe', async ({ page }) => {
	await page.goto('/models');
	await expect(
		page.getByRole('article', { name: 'TheBloke/CodeLlama-7B-Instruct-GGUF' }).getByText(VERDICT)
	).toBeVisible({ timeout: 30_000 });
	await searchFor(page, 'coder');
	await expect(results(page)).toHaveCount(20);
	expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);

	await page.goto('/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
	await expect(page.getByRole('region', { name: 'GGUF metadata' })).toContainText('qwen2');
	await expect(page.getByRole('region', { name: 'Model card' })).toContainText('GGUF');
	expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
});

test('on a phone each variant is a card: its verdict and Download button are in view, rows keep their roles', async ({
	page
}) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto('/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
	const q4 = page.getByRole('table').getByRole('row', { name: /Q4_K_M/ });
	await expect(q4).toBeVisible({ timeout: 30_000 });
	const download = q4.getByRole('button', { name: /^Download / });
	await download.scrollIntoViewIfNeeded();
	await expect(download).toBeInViewport({ ratio: 1 });
	await expect(q4.getByText(VERDICT)).toBeInViewport();
	// Each value still says what it is.
	const size = q4.getByRole('cell').filter({ hasText: / GB$/ });
	await expect(size).toBeVisible();
	expect(await size.evaluate((cell) => getComputedStyle(cell, '::before').content)).toBe('"Size"');
	// Nothing scrolls sideways: the table is no wider than its box.
	const overflow = await page
		.locator('.table-wrap')
		.evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
	expect(overflow).toBeLessThanOrEqual(1);
	expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
});

test('the search is in the URL: a link opens it, changes update it, a reload and Back keep it', async ({
	page
}) => {
	await page.goto('/models?q=coder&sort=likes');
	const box = page.getByRole('searchbox', { name: 'Search models' });
	const sort = page.getByRole('combobox', { name: 'Sort by' });
	await expect(box).toHaveValue('coder');
	await expect(sort).toHaveValue('likes');
	await expect(results(page)).toHaveCount(20);

	await sort.selectOption('trendingScore');
	await expect(page).toHaveURL(/\/models\?q=coder&sort=trendingScore$/);
	await page.getByText('GGUF only', { exact: true }).click();
	await expect(page).toHaveURL(/\/models\?q=coder&sort=trendingScore&gguf=0$/);
	await searchFor(page, 'qwen');
	await expect(page).toHaveURL(/\/models\?q=qwen&sort=trendingScore&gguf=0$/);
	await expect(results(page).first()).toBeVisible();

	await page.reload();
	await expect(box).toHaveValue('qwen');
	await expect(sort).toHaveValue('trendingScore');
	await expect(page.getByRole('switch', { name: 'GGUF only' })).not.toBeChecked();
	await expect(results(page).first()).toBeVisible();

	// Open a result, come Back: the same search and results.
	const first = results(page).first();
	const name = (await first.getAttribute('aria-label')) ?? '';
	await first.getByRole('link').click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
	await page.goBack();
	await expect(box).toHaveValue('qwen');
	await expect(results(page).first()).toBeVisible();

	// The Models tab starts afresh, with the recommendations.
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Models' })
		.click();
	await expect(page).toHaveURL(/\/models$/);
	await expect(box).toHaveValue('');
	await expect(page.getByRole('heading', { name: 'Recommended for this browser' })).toBeVisible();
});
