/**
 * A new user's first run and the pages around it (issue 12, points 5–9): the library says which
 * files were verified, the model page has one `h1` and ordered headings, speed warnings come from
 * this model's size, base models are described as they behave, the recommendations lead with
 * models that run in a browser, and the empty chat offers a one-click Quick start.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { makeScriptedLlamaGguf, makeTinyLlamaGguf } from '../fixtures/gguf';
import { emulateTheme } from './theme';

const hubUrl = `http://127.0.0.1:${Number(process.env.E2E_HUB_PORT ?? 8787)}`;
const SHARDED = 'citrate-test/tiny-llama-sharded-GGUF';
const BASE = 'citrate-test/base-llama-GGUF';
const QUICK = 'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF';
/** What the app recommends first for a browser, in the emulator's catalogue with real names. */
const BROWSER_MODELS = [
	'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF',
	'bartowski/Llama-3.2-1B-Instruct-GGUF',
	'HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF',
	'Qwen/Qwen2.5-Coder-3B-Instruct-GGUF',
	'bartowski/Llama-3.2-3B-Instruct-GGUF',
	'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF',
	'Qwen/Qwen2.5-0.5B-Instruct-GGUF'
];

async function control(path: string, method: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!response.ok)
		throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`);
	return response.json();
}

/** Publishes a repo on the emulator, as a user pushing to the Hub would. */
async function publish(id: string, files: Record<string, Uint8Array | string>, meta = {}) {
	await control('repos', 'POST', {
		id,
		meta: {
			downloads: 10,
			likes: 1,
			pipeline_tag: 'text-generation',
			library_name: 'gguf',
			tags: ['gguf'],
			...meta
		},
		files: Object.fromEntries(
			Object.entries(files).map(([path, content]) => [
				path,
				Buffer.from(content as Uint8Array).toString('base64')
			])
		)
	});
}

async function serviceWorkerReady(page: Page) {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (navigator.serviceWorker.controller) return;
		await new Promise((done) =>
			navigator.serviceWorker.addEventListener('controllerchange', done, { once: true })
		);
	});
}

/** Every heading level in document order: none skipped going down, exactly one h1. */
async function headingLevels(page: Page): Promise<number[]> {
	return page.evaluate(() =>
		[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
			.filter((h) => (h as HTMLElement).offsetParent !== null)
			.map((h) => Number(h.tagName.slice(1)))
	);
}

/** axe finds nothing in the page's main content, in the light and the dark theme. */
async function axeCleanInBothThemes(page: Page) {
	for (const theme of ['light', 'dark'] as const) {
		await emulateTheme(page, theme);
		const axe = await new AxeBuilder({ page }).include('main').analyze();
		expect(axe.violations, theme).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

test.beforeEach(async () => {
	await control('reset', 'POST');
});

test('the library says each file was verified against the Hub, and shows a failed check', async ({
	page
}) => {
	await page.goto(`/models/${SHARDED}`);
	await serviceWorkerReady(page);
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });

	await page.goto('/library');
	const card = page.getByRole('article', { name: new RegExp(`^${SHARDED}`) });
	const rows = card.getByRole('row').filter({ hasText: '.gguf' });
	await expect(rows).toHaveCount(3);
	for (const row of await rows.all())
		await expect(row).toContainText('Verified: SHA-256 matches the Hub');
	await axeCleanInBothThemes(page);

	// A file whose bytes do not match: the check fails, and the Library says so for that file.
	await page.getByRole('button', { name: `Delete ${SHARDED} Q8_0` }).click();
	await page.getByRole('button', { name: 'Delete model' }).click();
	await expect(card).toHaveCount(0);
	const repos = (await control('repos', 'GET')) as {
		id: string;
		files: { path: string }[];
	}[];
	const second = repos
		.find((r) => r.id === SHARDED)!
		.files.map((f) => f.path)
		.filter((p) => p.endsWith('.gguf'))
		.sort()[1]!;
	await control('faults', 'POST', { path: second, origin: 'cdn', flipByteAt: 4096 });
	await page.goto(`/models/${SHARDED}`);
	await serviceWorkerReady(page);
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await page.goto('/library');
	const job = page.getByRole('article', { name: `Download of ${SHARDED} Q8_0` });
	const failed = job.getByText(/Check failed: SHA-256 does not match the Hub/);
	await expect(failed).toBeVisible({ timeout: 60_000 });
	await expect(failed).toContainText(second);
	await axeCleanInBothThemes(page);
});

test('the model page has one h1: the model card’s headings sit below its section (axe + order)', async ({
	page
}) => {
	for (const theme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
		await page.goto('/models/citrate-test/tiny-llama-GGUF');
		const markdown = page.locator('.markdown');
		await expect(markdown.getByText('Three quantizations of the same tiny model')).toBeVisible({
			timeout: 30_000
		});
		await expect(page.locator('h1')).toHaveCount(1);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'citrate-test/tiny-llama-GGUF'
		);
		// The card's own "# Tiny Llama GGUF" is now below the "Model card" section heading (h2).
		await expect(markdown.getByRole('heading', { name: 'Tiny Llama GGUF' })).toHaveJSProperty(
			'tagName',
			'H3'
		);
		const levels = await headingLevels(page);
		expect(levels.filter((level) => level === 1)).toHaveLength(1);
		for (let i = 1; i < levels.length; i++)
			expect(levels[i]!, `heading ${i} after h${levels[i - 1]}`).toBeLessThanOrEqual(
				levels[i - 1]! + 1
			);
		const axe = await new AxeBuilder({ page }).analyze();
		expect(axe.violations.map((v) => v.id)).toEqual([]);
		const order = await new AxeBuilder({ page })
			.withRules(['heading-order', 'page-has-heading-one'])
			.analyze();
		expect(order.violations).toEqual([]);
	}
});

test('a reply with its own "# heading" stays below the chat’s h1', async ({ page }) => {
	await page.goto('/');
	await page.getByLabel('GGUF model file(s)').setInputFiles({
		name: 'headings.gguf',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from(makeScriptedLlamaGguf({ reply: '# Plan\n\nFirst, a list.' }))
	});
	await expect(page.getByRole('status', { name: 'Model status' })).toContainText(/Context \d+/, {
		timeout: 60_000
	});
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill('Plan it');
	await box.press('Enter');
	const reply = page.getByRole('article', { name: 'Assistant message' }).first();
	await expect(reply.getByRole('heading', { name: 'Plan' })).toHaveJSProperty('tagName', 'H2', {
		timeout: 30_000
	});
	await expect(page.locator('h1')).toHaveCount(1);
});

test('speed warnings come from this model’s size; a base model is said to continue the text', async ({
	page
}) => {
	// A tiny base model (no chat template) in F16: fast here, so no "slow" warning.
	await publish(BASE, {
		'README.md': '# Base llama\n\nA tiny base model without a chat template.\n',
		'base-llama-F16.gguf': makeTinyLlamaGguf({
			seed: 3,
			weightType: 'F16',
			chatTemplate: null,
			name: 'Base llama'
		})
	});
	await page.goto(`/models/${BASE}`);
	const f16 = page.locator('tr[data-variant="F16"]');
	await expect(f16).toBeVisible();
	await expect(f16).not.toContainText(/slow/i);
	await expect(f16).not.toContainText('22 tok/s');
	const gguf = page.getByRole('region', { name: 'GGUF metadata' });
	await expect(gguf).toContainText('Chat template');
	await expect(gguf).not.toContainText('generic template');
	await expect(gguf).toContainText(
		'None: a base model. The chat sends the conversation as plain text'
	);

	// A 7B model in F16 (15 GB): slow here, and the warning says how slow, from its own size.
	await page.goto('/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
	const big = page.locator('tr[data-variant="F16"]');
	await expect(big).toBeVisible({ timeout: 30_000 });
	await expect(big).toContainText(/about \d+(\.\d)? tok\/s/);
	await expect(big).toContainText(/slow/i);
	await expect(big).not.toContainText('22 tok/s');
});

test('recommendations lead with models that run in a browser; unreachable ones get one quiet line', async ({
	page
}) => {
	await control('faults', 'POST', [
		{ path: '/api/models/HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF', origin: 'hub', status: 503 },
		{ path: '/api/models/bartowski/Llama-3.2-3B-Instruct-GGUF', origin: 'hub', status: 503 }
	]);
	await page.goto('/models');
	const browser = page.getByRole('list', { name: 'Recommended for this browser' });
	const cards = browser.getByRole('article');
	const reachable = BROWSER_MODELS.filter((id) => !/SmolLM2|Llama-3\.2-3B/.test(id));
	await expect(cards).toHaveCount(reachable.length, { timeout: 30_000 });
	for (const id of reachable) {
		const card = browser.getByRole('article', { name: id });
		// Its recommended variant, its size, and a fit verdict.
		await expect(card.getByTestId('recommended-variant')).toHaveText(
			/^(Q4_K_M|Q5_K_M|Q6_K)\b.*\d+(\.\d+)? (MB|GB)$/,
			{ timeout: 30_000 }
		);
		await expect(card.getByText(/^(Fits|Tight|Won’t fit)$/)).toBeVisible({ timeout: 30_000 });
		// And the speed to expect from it on this device.
		await expect(card.getByTestId('speed')).toContainText(/^about \d+(\.\d)? tok\/s expected here/);
	}
	// The unreachable ones: one quiet line, not a paragraph each.
	const quiet = page.getByText(/^Not reachable right now:/);
	await expect(quiet).toHaveCount(1);
	await expect(quiet).toContainText('SmolLM2-1.7B-Instruct-GGUF');
	await expect(quiet).toContainText('Llama-3.2-3B-Instruct-GGUF');
	await expect(page.getByRole('article', { name: /SmolLM2|Llama-3\.2-3B/ })).toHaveCount(0);
	await axeCleanInBothThemes(page);
	await page.setViewportSize({ width: 390, height: 844 });
	await axeCleanInBothThemes(page);
	await page.setViewportSize({ width: 1280, height: 800 });

	// Larger models come after, each saying why it does not fit a browser.
	const large = page.getByRole('list', { name: 'Larger models' });
	await expect(large.getByRole('article').first()).toBeVisible();
	const first = large.getByRole('article').first();
	await expect(first.getByTestId('why-not')).toContainText(/tok\/s|memory/, { timeout: 30_000 });
	const order = await page
		.getByRole('heading', { level: 2 })
		.evaluateAll((hs) => hs.map((h) => h.textContent?.trim()));
	expect(order.indexOf('Recommended for this browser')).toBeLessThan(
		order.indexOf('Larger models')
	);
});

test('first run: the empty chat offers a Quick start that downloads, loads and chats in one click', async ({
	page
}) => {
	// The emulator publishes a real (tiny, scripted) GGUF as the smallest recommended model, so
	// the download verifies and the model loads and answers. The device is pinned to 1 core: there
	// only the 0.5B model is predicted at a usable speed (on 2 cores the 1B ones are close to 5 tok/s),
	// and it is the fastest that fits whatever this machine's calibration reads.
	await publish(QUICK, {
		'README.md':
			'# Qwen2.5-Coder-0.5B-Instruct-GGUF\n\nTest stand-in with a tiny scripted model.\n',
		'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf': makeScriptedLlamaGguf({
			reply: 'Hello from the quick start.',
			name: 'Qwen2.5 Coder 0.5B Instruct'
		})
	});
	await page.addInitScript(() => {
		Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 1 });
	});
	await page.goto('/');
	await serviceWorkerReady(page);
	const quick = page.getByRole('region', { name: 'Quick start' });
	await expect(quick).toContainText('Qwen2.5-Coder-0.5B-Instruct', { timeout: 30_000 });
	await expect(quick).toContainText('Q4_K_M');
	await expect(quick).toContainText(/\d+(\.\d+)? (kB|MB)/);
	await axeCleanInBothThemes(page);
	await page.setViewportSize({ width: 390, height: 844 });
	await axeCleanInBothThemes(page);
	await expect(quick.getByRole('button', { name: /^Download and chat/ })).toBeInViewport();
	await control('faults', 'POST', {
		path: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
		origin: 'cdn',
		throttleBytesPerSec: 30_000
	});
	await quick.getByRole('button', { name: /^Download and chat/ }).click();
	// Progress in place (the CDN is slowed so that it can be seen), then the model is loaded.
	await expect(
		quick.getByRole('progressbar', { name: /^Downloading Qwen2\.5-Coder/ })
	).toBeVisible();
	await expect(quick.getByRole('status')).toContainText(/Downloading: .* of 78\.0 kB|Verifying/);
	const status = page.getByRole('status', { name: 'Model status' });
	await expect(status).toContainText(/Context \d+/, { timeout: 60_000 });
	const box = page.getByRole('textbox', { name: 'Message' });
	await expect(box).toBeEnabled();
	await box.fill('Hi');
	await box.press('Enter');
	await expect(page.getByRole('article', { name: 'Assistant message' }).first()).toContainText(
		'Hello from the quick start.',
		{ timeout: 30_000 }
	);
	await expect(quick).toHaveCount(0);
});
