import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { makeScriptedLlamaGguf } from '../fixtures/gguf';
import { emulateTheme } from './theme';

/**
 * Daily use of the chat (issue 12): the log follows every reply to its end, phones give the screen
 * to the conversation, each reply says why it ended (Continue extends one cut by the limit), and a
 * reload shows the stored context usage and speed.
 */

const hubUrl = `http://127.0.0.1:${Number(process.env.E2E_HUB_PORT ?? 8787)}`;
const SCRIPTED = 'citrate-test/scripted-chat-GGUF';
const LAST_LINE = 'That is the whole plan.';
/** A reply far taller than the messages log. */
const LONG_REPLY =
	Array.from({ length: 24 }, (_, i) => `Step ${i + 1}: keep going with the plan.`).join('\n\n') +
	`\n\n${LAST_LINE}`;
/** Distinct one-character pieces: a cut reply is a prefix, and a continuation picks up where it ended. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });
const messagesLog = (page: Page) => page.getByRole('log', { name: 'Messages' });

test.beforeEach(async () => {
	const response = await fetch(`${hubUrl}/__emulator/reset`, { method: 'POST' });
	expect(response.ok).toBe(true);
});

async function openFromDisk(page: Page, name: string, bytes: Uint8Array) {
	await page
		.getByLabel('GGUF model file(s)')
		.setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
	await expectModelReady(page, name);
}

async function expectModelReady(page: Page, name: string | RegExp) {
	const status = page.getByRole('status', { name: 'Model status' });
	await expect(status).toContainText(name, { timeout: 60_000 });
	await expect(status).toContainText(/Context \d+/);
}

async function send(page: Page, text: string) {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
}

async function setMaxTokens(page: Page, value: number) {
	const field = page.getByRole('spinbutton', { name: 'Max tokens' });
	if (!(await field.isVisible())) await page.getByText('Chat settings').click();
	await field.fill(String(value));
	await field.press('Tab');
	await expect(field).toHaveValue(String(value));
}

async function contentOf(message: Locator): Promise<string> {
	return ((await message.locator('.content').textContent()) ?? '').trim();
}

/** The element at the centre of `target` is `target` (or inside it): nothing covers it. */
async function expectUncovered(target: Locator) {
	expect(
		await target.evaluate((element) => {
			const box = element.getBoundingClientRect();
			const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
			return hit !== null && (hit === element || element.contains(hit));
		})
	).toBe(true);
}

/** axe finds nothing in either theme. */
async function expectAxeClean(page: Page, state: string) {
	for (const colorScheme of ['light', 'dark'] as const) {
		await emulateTheme(page, colorScheme);
		const results = await new AxeBuilder({ page })
			.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
			.analyze();
		expect(
			results.violations.map((v) => `${v.id} → ${v.nodes.map((n) => n.target).join(', ')}`),
			`${colorScheme}, ${state}`
		).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

/** Pixels of the viewport's height where the messages log is what the user sees. */
function visibleLogHeight(page: Page): Promise<number> {
	return messagesLog(page).evaluate((log) => {
		const box = log.getBoundingClientRect();
		const x = box.x + box.width / 2;
		let seen = 0;
		for (let y = 0; y < window.innerHeight; y += 2) {
			const hit = document.elementFromPoint(x, y);
			if (hit && log.contains(hit)) seen += 2;
		}
		return seen;
	});
}

test('three messages in a row: at 1280×800 each long reply is followed to its last line, clear of the composer', async ({
	page
}) => {
	test.setTimeout(150_000);
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/');
	await openFromDisk(page, 'planner.gguf', makeScriptedLlamaGguf({ reply: LONG_REPLY }));
	for (let i = 0; i < 3; i++) {
		await send(page, `Plan number ${i + 1}`);
		const reply = assistant(page).nth(i);
		await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
		await expect(reply.getByText(LAST_LINE)).toBeInViewport({ ratio: 1 });
		const regenerate = reply.getByRole('button', { name: 'Regenerate answer' });
		await expect(regenerate).toBeInViewport({ ratio: 1 });
		await expectUncovered(regenerate);
		await expectUncovered(reply.getByText(LAST_LINE));
		await expect(reply.getByText(/\d+ tokens/)).toBeInViewport();
	}
	// The replies were taller than the log: it really had to follow them.
	const log = await messagesLog(page).evaluate((el) => ({
		client: el.clientHeight,
		reply: el.querySelector('article:last-of-type')?.getBoundingClientRect().height ?? 0
	}));
	expect(log.reply).toBeGreaterThan(log.client);
});

test('a reader who scrolls up during a stream stays there and gets "Jump to latest", which follows the reply again', async ({
	page
}) => {
	test.setTimeout(150_000);
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/');
	await openFromDisk(
		page,
		'ticker.gguf',
		makeScriptedLlamaGguf({ reply: 'tick tock\n\n', loop: true, name: 'Ticker' })
	);
	await page.getByRole('button', { name: 'New chat' }).click();
	await setMaxTokens(page, 4000);
	await page.getByText('Chat settings').click();
	await send(page, 'Count for me');
	const log = messagesLog(page);
	// Streaming, taller than the log.
	await expect
		.poll(() => log.evaluate((el) => el.scrollHeight - el.clientHeight), { timeout: 60_000 })
		.toBeGreaterThan(600);
	await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeHidden();
	await log.hover();
	await page.mouse.wheel(0, -400);
	await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
	const top = await log.evaluate((el) => el.scrollTop);
	const length = await contentOf(assistant(page).first()).then((text) => text.length);
	await expect
		.poll(() => contentOf(assistant(page).first()).then((text) => text.length))
		.toBeGreaterThan(length + 100);
	await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
	expect(Math.abs((await log.evaluate((el) => el.scrollTop)) - top)).toBeLessThan(2);

	await page.getByRole('button', { name: 'Jump to latest' }).click();
	await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeHidden();
	await expect
		.poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
		.toBeLessThan(4);
	await page.getByRole('button', { name: 'Stop' }).click();
	await expect(assistant(page).first()).toHaveAttribute('data-status', 'stopped');
	await expect(assistant(page).first().getByText('Stopped by you')).toBeInViewport();
});

for (const viewport of [
	{ width: 390, height: 844 },
	{ width: 360, height: 740 }
]) {
	test(`at ${viewport.width}×${viewport.height} the conversation owns the screen: 60% shows messages, the placeholder fits, axe is clean`, async ({
		page
	}) => {
		test.setTimeout(150_000);
		await page.setViewportSize(viewport);
		await page.goto('/');
		// No model yet: the model choice shows by itself.
		await expect(page.getByRole('combobox', { name: 'Downloaded model' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Model and settings' })).toHaveAttribute(
			'aria-expanded',
			'true'
		);
		await expectAxeClean(page, 'no model');
		await openFromDisk(page, 'planner.gguf', makeScriptedLlamaGguf({ reply: LONG_REPLY }));
		await send(page, 'Plan it');
		const reply = assistant(page).first();
		await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
		await expect(reply.getByText(LAST_LINE)).toBeInViewport({ ratio: 1 });

		expect(await visibleLogHeight(page)).toBeGreaterThanOrEqual(0.6 * viewport.height);
		const widths = await page.evaluate(() => ({
			scroll: document.documentElement.scrollWidth,
			client: document.documentElement.clientWidth
		}));
		expect(widths.scroll).toBeLessThanOrEqual(widths.client);

		// The composer's placeholder is shown whole.
		const box = page.getByRole('textbox', { name: 'Message' });
		await expect(box).toBeInViewport({ ratio: 1 });
		const fits = await box.evaluate((element) => {
			const textarea = element as HTMLTextAreaElement;
			const style = getComputedStyle(textarea);
			const probe = document.createElement('div');
			probe.textContent = textarea.placeholder;
			const inner =
				textarea.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
			Object.assign(probe.style, {
				position: 'absolute',
				visibility: 'hidden',
				width: `${inner}px`,
				font: style.font,
				lineHeight: style.lineHeight,
				letterSpacing: style.letterSpacing,
				whiteSpace: 'pre-wrap',
				overflowWrap: 'break-word'
			});
			document.body.append(probe);
			const needed = probe.getBoundingClientRect().height;
			probe.remove();
			const room =
				textarea.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
			return { placeholder: textarea.placeholder, needed, room };
		});
		expect(fits.placeholder.length).toBeGreaterThan(0);
		expect(fits.needed, fits.placeholder).toBeLessThanOrEqual(fits.room + 0.5);

		// Model status, context usage, export and settings are one tap away, on screen.
		const menu = page.getByRole('button', { name: 'Model and settings' });
		await expect(menu).toHaveAttribute('aria-expanded', 'false');
		await expect(page.getByRole('button', { name: 'Export Markdown' })).toBeHidden();
		await expectAxeClean(page, 'folded');
		await menu.click();
		await expect(menu).toHaveAttribute('aria-expanded', 'true');
		await expect(page.getByRole('status', { name: 'Model status' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Export Markdown' })).toBeVisible();
		await expect(page.getByText('Chat settings')).toBeVisible();
		await expect(page.getByRole('progressbar', { name: 'Context used' })).toBeVisible();
		await expectAxeClean(page, 'open');
		const widthsOpen = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(widthsOpen).toBeLessThanOrEqual(viewport.width);
		await menu.click();
		await expect(page.getByRole('button', { name: 'Export Markdown' })).toBeHidden();
	});
}

test('each reply says why it ended; one cut by the token limit continues in the same message, also after a reload', async ({
	page
}) => {
	test.setTimeout(150_000);
	const model = makeScriptedLlamaGguf({ reply: ALPHABET, name: 'Alphabet' });
	await page.goto('/');
	await openFromDisk(page, 'alphabet.gguf', model);
	await page.getByRole('button', { name: 'New chat' }).click();
	await setMaxTokens(page, 10);
	await send(page, 'Spell it');
	const reply = assistant(page).first();
	await expect(reply).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
	await expect(reply).toContainText('Cut off at the token limit');
	const first = await contentOf(reply);
	expect(first.length).toBeGreaterThanOrEqual(5);
	expect(ALPHABET.startsWith(first) && first.length < ALPHABET.length).toBe(true);

	// The reason is stored with the message: after a reload it is still there, with Continue.
	await page.reload();
	await expect(reply).toContainText('Cut off at the token limit');
	await expect(await contentOf(reply)).toBe(first);
	await openFromDisk(page, 'alphabet.gguf', model);
	await reply.getByRole('button', { name: 'Continue' }).click();
	await expect(assistant(page)).toHaveCount(1);
	await expect.poll(() => contentOf(reply), { timeout: 60_000 }).not.toBe(first);
	await expect(reply).toHaveAttribute('data-status', 'complete');
	const second = await contentOf(reply);
	expect(second.startsWith(first) && ALPHABET.startsWith(second)).toBe(true);
	expect(second.length).toBeGreaterThan(first.length);
	await expect(reply).toContainText('Cut off at the token limit');

	// With room to finish, Continue runs to the end of the text, and Continue goes away.
	await setMaxTokens(page, 200);
	await reply.getByRole('button', { name: 'Continue' }).click();
	await expect.poll(() => contentOf(reply), { timeout: 60_000 }).toBe(ALPHABET);
	await expect(reply).toContainText('End of text');
	await expect(reply).not.toContainText('Cut off');
	await expect(reply.getByRole('button', { name: 'Continue' })).toHaveCount(0);
	// Its token count is the whole message's (llama.cpp also counts the end-of-turn token).
	const stats = (await reply.locator('[data-finish]').textContent()) ?? '';
	expect(Number(/(\d+) tokens/.exec(stats)?.[1])).toBeGreaterThanOrEqual(ALPHABET.length);
});

test('after a reload the open conversation shows its context usage and speed from what was stored', async ({
	page
}) => {
	test.setTimeout(150_000);
	await page.goto(`/models/${SCRIPTED}`);
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (navigator.serviceWorker.controller) return;
		await new Promise((done) =>
			navigator.serviceWorker.addEventListener('controllerchange', done, { once: true })
		);
	});
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
	await page.goto('/');
	const picker = page.getByRole('combobox', { name: 'Downloaded model' });
	const option = picker.locator('option', { hasText: 'scripted-chat-GGUF' });
	await picker.selectOption({ value: (await option.getAttribute('value'))! });
	await expectModelReady(page, /scripted-chat-GGUF/);
	await send(page, 'Show me an add function');
	await expect(assistant(page).first()).toHaveAttribute('data-status', 'complete', {
		timeout: 60_000
	});
	const usage = page.getByText(/^\d+ \/ \d+ tokens/);
	await expect(usage).toBeVisible();
	const usageText = await usage.textContent();
	const bar = page.getByRole('progressbar', { name: 'Context used' });
	const used = await bar.getAttribute('aria-valuenow');
	expect(Number(used)).toBeGreaterThan(0);
	const speed = page.getByRole('status', { name: 'Model status' }).getByLabel('Speed');
	await expect(speed).toHaveText(/\d+(\.\d)? tok\/s/);

	await page.reload();
	await expectModelReady(page, /scripted-chat-GGUF/);
	await expect(page.getByText(/^\d+ \/ \d+ tokens/)).toHaveText(usageText!);
	await expect(bar).toHaveAttribute('aria-valuenow', used!);
	await expect(speed).toHaveText(/\d+(\.\d)? tok\/s/);
});
