import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { makeScriptedLlamaGguf } from '../fixtures/gguf';
import { emulateTheme } from './theme';

/**
 * Chat end to end in the built app: a model downloaded from the Hub emulator and models opened
 * from disk; streaming, stop, regenerate, edit, history across reloads, offline, inert output.
 */

const hubUrl = `http://127.0.0.1:${Number(process.env.E2E_HUB_PORT ?? 8787)}`;
const cdnUrl = `http://127.0.0.1:${Number(process.env.E2E_CDN_PORT ?? 8788)}`;
const SCRIPTED = 'citrate-test/scripted-chat-GGUF';
const STORIES = resolve('../shared/fixtures/stories260K.gguf');

async function resetEmulator() {
	const response = await fetch(`${hubUrl}/__emulator/reset`, { method: 'POST' });
	expect(response.ok).toBe(true);
}

async function waitForServiceWorker(page: Page) {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (navigator.serviceWorker.controller) return;
		await new Promise((done) =>
			navigator.serviceWorker.addEventListener('controllerchange', done, { once: true })
		);
	});
}

async function download(page: Page, repoId: string) {
	await page.goto(`/models/${repoId}`);
	await waitForServiceWorker(page);
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });
}

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
	await expect(status).toContainText(/WASM|WebGPU/);
}

const assistant = (page: Page) => page.getByRole('article', { name: 'Assistant message' });
const user = (page: Page) => page.getByRole('article', { name: 'Your message' });

async function send(page: Page, text: string) {
	const box = page.getByRole('textbox', { name: 'Message' });
	await box.fill(text);
	await box.press('Enter');
}

/** At this viewport, loads a scripted model (it answers "ok") from disk and asks `question`. */
async function firstAnswerAt(
	page: Page,
	viewport: { width: number; height: number },
	question: string
) {
	await page.setViewportSize(viewport);
	await page.goto('/');
	await openFromDisk(page, 'scripted.gguf', makeScriptedLlamaGguf({ reply: 'ok' }));
	await send(page, question);
	await expect(assistant(page).first()).toContainText('ok');
}

async function textLength(page: Page, index: number): Promise<number> {
	return ((await assistant(page).nth(index).locator('.content').textContent()) ?? '').length;
}

test.beforeEach(async () => {
	await resetEmulator();
});

test('with nothing downloaded the empty chat leads to the models page; a downloaded model opens in the chat from the library', async ({
	page
}) => {
	await page.goto('/');
	await expect(page.getByRole('heading', { name: 'Load a model to start' })).toBeVisible();
	await page.getByRole('link', { name: 'Find a model to download' }).click();
	await expect(page).toHaveURL(/\/models$/);
	await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();

	await download(page, SCRIPTED);
	await page.goto('/');
	await expect(page.getByRole('heading', { name: 'Load a model to start' })).toBeVisible();
	await expect(page.getByRole('combobox', { name: 'Downloaded model' })).toContainText(
		'scripted-chat'
	);
	await expect(page.getByRole('link', { name: 'Find a model to download' })).toHaveCount(0);

	// The library's Chat button loads the model and opens the chat.
	await page.goto('/library');
	await page.getByRole('button', { name: /^Chat with citrate-test\/scripted-chat-GGUF/ }).click();
	await expect(page).toHaveURL(/\/(\?.*)?$/);
	await expectModelReady(page, /scripted-chat/);
	await send(page, 'Hello');
	await expect(assistant(page).first()).toContainText(/\S/, { timeout: 30_000 });

	// Chat on the model already loaded opens the chat without loading it again.
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Library' })
		.click();
	await page.getByRole('button', { name: /^Chat with citrate-test\/scripted-chat-GGUF/ }).click();
	await page.waitForURL(/\/(\?.*)?$/);
	await page.evaluate(() => {
		const seen: string[] = ((window as unknown as { statusSeen: string[] }).statusSeen = []);
		const status = document.querySelector('[aria-label="Model status"]')!;
		seen.push(status.textContent ?? '');
		new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, {
			subtree: true,
			childList: true,
			characterData: true
		});
	});
	await expect(page.getByRole('status', { name: 'Model status' })).toContainText(/Context \d+/);
	await page.waitForTimeout(500);
	const seen = await page.evaluate(
		() => (window as unknown as { statusSeen: string[] }).statusSeen
	);
	expect(seen.filter((text) => text.includes('Loading'))).toEqual([]);
});

test('download → chat streams → stop → regenerate → edit → reload keeps history → offline reload still answers', async ({
	page,
	context
}) => {
	test.setTimeout(180_000);
	// Every request (pages, workers, wasm) stays on the app, the Hub and its CDN: no public CDN.
	const origins = new Set<string>();
	context.on('request', (request) => {
		const url = new URL(request.url());
		if (url.protocol.startsWith('http')) origins.add(url.origin);
	});
	await download(page, SCRIPTED);
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();

	// A model that never stops talking, opened from disk, to watch tokens stream and stop them.
	await openFromDisk(
		page,
		'ticker.gguf',
		makeScriptedLlamaGguf({ reply: 'tick tock ', loop: true, name: 'Ticker' })
	);
	await send(page, 'Count for me');
	await expect(user(page)).toHaveText(/Count for me/);
	await expect.poll(() => textLength(page, 0)).toBeGreaterThan(30);
	const early = await textLength(page, 0);
	await expect.poll(() => textLength(page, 0)).toBeGreaterThan(early + 20);
	await page.getByRole('button', { name: 'Stop' }).click();
	await expect(assistant(page).first()).toContainText('Stopped by you');
	const stoppedAt = await textLength(page, 0);
	await page.waitForTimeout(400);
	expect(await textLength(page, 0)).toBe(stoppedAt);
	await expect(assistant(page).first()).toContainText('tick tock tick tock');

	// Regenerate: a fresh answer streams; Esc stops it.
	await page.getByRole('button', { name: 'Regenerate answer' }).click();
	await expect(assistant(page)).toHaveCount(1);
	await expect.poll(() => textLength(page, 0)).toBeGreaterThan(30);
	await page.keyboard.press('Escape');
	await expect(assistant(page).first()).toContainText('Stopped by you');

	// Switch this conversation to the downloaded model and edit the question.
	const picker = page.getByLabel('Downloaded model');
	const option = picker.locator('option', { hasText: 'scripted-chat-GGUF' });
	await picker.selectOption({ value: (await option.getAttribute('value'))! });
	await expectModelReady(page, /scripted-chat-GGUF/);
	await user(page).getByRole('button', { name: 'Edit message' }).click();
	await page.getByRole('textbox', { name: 'Edit message' }).fill('Show me an add function');
	await page.getByRole('button', { name: 'Save and send' }).click();
	await expect(user(page)).toHaveText(/Show me an add function/);
	const answer = assistant(page).first();
	await expect(answer.locator('pre code')).toContainText('def add(a, b):', { timeout: 30_000 });
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await answer.getByRole('button', { name: 'Copy code' }).click();
	await expect
		.poll(() => page.evaluate(() => navigator.clipboard.readText()))
		.toBe('def add(a, b):\n    return a + b');
	await expect(answer.locator('strong')).toHaveText('5');
	await expect(page.getByRole('region', { name: 'Model' })).toContainText(/\d+(\.\d)? tok\/s/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Count for me');

	// Reload: the conversation and its messages come back from IndexedDB.
	await page.reload();
	await expect(user(page)).toHaveText(/Show me an add function/);
	await expect(assistant(page).first().locator('pre code')).toContainText('def add(a, b):');
	await expect(page.getByRole('button', { name: 'Count for me', exact: true })).toBeVisible();

	// Offline: the app shell comes from the service worker, the model from OPFS, and it answers.
	await waitForServiceWorker(page);
	await context.setOffline(true);
	try {
		await page.reload();
		await expect(user(page)).toHaveText(/Show me an add function/);
		// The conversation's downloaded model loads again by itself, from OPFS.
		await expectModelReady(page, /scripted-chat-GGUF/);
		await send(page, 'And again, offline');
		await expect(assistant(page)).toHaveCount(2);
		await expect(assistant(page).nth(1).locator('pre code')).toContainText('def add(a, b):', {
			timeout: 60_000
		});
	} finally {
		await context.setOffline(false);
	}
	const allowed = [new URL(page.url()).origin, hubUrl, cdnUrl];
	expect([...origins].filter((origin) => !allowed.includes(origin))).toEqual([]);
});

test('a reload mid-answer keeps the text generated so far', async ({ page }) => {
	await page.goto('/');
	await openFromDisk(
		page,
		'ticker.gguf',
		makeScriptedLlamaGguf({ reply: 'lorem ipsum ', loop: true, name: 'Ticker' })
	);
	// A long answer, so that the reload surely lands while it is still streaming.
	await page.getByRole('button', { name: 'New chat' }).click();
	await page.getByText('Chat settings').click();
	const maxTokens = page.getByRole('spinbutton', { name: 'Max tokens' });
	await maxTokens.fill('4000');
	await maxTokens.press('Tab');
	await expect(maxTokens).toHaveValue('4000');
	await send(page, 'Keep going');
	// Wait until IndexedDB holds more than 200 characters of the answer, then reload at once.
	await expect
		.poll(() =>
			page.evaluate(
				() =>
					new Promise<number>((resolve) => {
						const open = indexedDB.open('citrate');
						open.onsuccess = () => {
							const all = open.result.transaction('messages').objectStore('messages').getAll();
							all.onsuccess = () => {
								const rows = all.result as { role: string; content: string }[];
								resolve(
									Math.max(
										0,
										...rows.filter((r) => r.role === 'assistant').map((r) => r.content.length)
									)
								);
								open.result.close();
							};
						};
					})
			)
		)
		.toBeGreaterThan(200);
	expect(await page.getByRole('button', { name: 'Stop' }).isVisible()).toBe(true);
	await page.reload();
	await expect(assistant(page).first()).toContainText(
		'Interrupted: the page was closed while it was written'
	);
	const kept = await textLength(page, 0);
	expect(kept).toBeGreaterThan(200);
	await expect(assistant(page).first()).toContainText('lorem ipsum lorem ipsum');
});

test('model output with HTML and a javascript: link is shown inert', async ({ page }) => {
	const dialogs: string[] = [];
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	// Sanitizing must not even make the browser report a CSP violation (no console errors).
	const consoleErrors: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') consoleErrors.push(message.text());
	});
	await page.goto('/');
	await openFromDisk(
		page,
		'xss.gguf',
		makeScriptedLlamaGguf({
			reply:
				'Look: <img src=x onerror="window.__xss=1"> and [click](javascript:window.__xss=2) <script>window.__xss=3</script> done',
			name: 'XSS'
		})
	);
	await send(page, 'hi');
	const answer = assistant(page).first();
	await expect(answer).toContainText('done');
	await expect(answer.locator('.markdown')).toBeVisible();
	expect(await answer.locator('[onerror], script, iframe').count()).toBe(0);
	const hrefs = await answer
		.locator('a')
		.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
	expect(hrefs.filter((href) => /^\s*javascript:/i.test(href))).toEqual([]);
	const click = answer.getByText('click');
	if (await click.count()) await click.first().click();
	await page.waitForTimeout(300);
	expect(
		await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)
	).toBeUndefined();
	expect(dialogs).toEqual([]);
	expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
});

test('export JSON and import it back; a broken file is refused with a clear message', async ({
	page
}) => {
	await page.goto('/');
	await openFromDisk(page, 'echo.gguf', makeScriptedLlamaGguf({ reply: 'Exported reply.' }));
	await send(page, 'Export me');
	await expect(assistant(page).first()).toContainText('Exported reply.');
	const [file] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Export JSON' }).click()
	]);
	const json = readFileSync((await file.path())!, 'utf8');
	expect(JSON.parse(json)).toMatchObject({ format: 'citrate-conversation', version: 1 });
	await page.getByRole('button', { name: /Delete Export me/ }).click({ trial: true });
	const input = page.getByLabel('Conversation JSON file');
	await input.setInputFiles({
		name: 'broken.json',
		mimeType: 'application/json',
		buffer: Buffer.from('{"format":"something-else"}')
	});
	await expect(page.getByText(/not a Citrate conversation/)).toBeVisible();
	await input.setInputFiles({
		name: 'chat.json',
		mimeType: 'application/json',
		buffer: Buffer.from(json)
	});
	await expect(page.getByRole('button', { name: 'Export me', exact: true })).toHaveCount(2);
	await expect(assistant(page).first()).toContainText('Exported reply.');
});

test('stories260K continues "Once upon a time" in English', async ({ page }) => {
	test.skip(!existsSync(STORIES), `${STORIES} is absent (a fresh clone has no ../shared)`);
	await page.goto('/');
	await openFromDisk(page, 'stories260K.gguf', readFileSync(STORIES));
	await send(page, 'Once upon a time');
	const answer = assistant(page).first();
	await expect(answer).not.toContainText('Thinking', { timeout: 30_000 });
	await expect
		.poll(async () => (await answer.locator('.content').textContent())?.length ?? 0)
		.toBeGreaterThan(40);
	const text = ((await answer.locator('.content').textContent()) ?? '').toLowerCase();
	const words = text.match(/\b(the|a|and|was|she|he|to|her|his|they|day|little|big|play)\b/g) ?? [];
	expect(words.length).toBeGreaterThanOrEqual(3);
});

test('the chat page with a conversation, code and settings open passes axe (light and dark)', async ({
	page
}) => {
	await page.goto('/');
	await openFromDisk(
		page,
		'scripted.gguf',
		makeScriptedLlamaGguf({ reply: 'Try `x`:\n\n```js\nconst x = 1;\n```\n\nDone **now**.' })
	);
	await send(page, 'Show code');
	await expect(assistant(page).first().locator('pre code')).toContainText('const x = 1;');
	await page.getByText('Chat settings').click();
	for (const colorScheme of ['light', 'dark'] as const) {
		await emulateTheme(page, colorScheme);
		const results = await new AxeBuilder({ page })
			.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
			.analyze();
		const summary = results.violations.map(
			(v) => `${v.id}: ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
		);
		expect(summary, colorScheme).toEqual([]);
	}
});

test('the context size is picked in the model bar, reloads the model, sizes the usage bar, and is kept across a reload', async ({
	page
}) => {
	const model = makeScriptedLlamaGguf({ reply: 'ok' }); // trained on 4096 tokens
	await page.goto('/');
	await openFromDisk(page, 'ctx.gguf', model);
	const status = page.getByRole('status', { name: 'Model status' });
	await expect(status).toContainText('Context 4096');
	const picker = page.getByRole('combobox', { name: 'Context size' });
	await expect(picker).toHaveValue('4096');
	await expect(picker.locator('option')).toHaveText([
		'512 tokens',
		'1,024 tokens',
		'2,048 tokens',
		'4,096 tokens (trained)'
	]);

	await picker.selectOption('1024');
	await expect(status).toContainText('Context 1024', { timeout: 60_000 });
	await send(page, 'hello');
	await expect(assistant(page).first()).toContainText('ok');
	await expect(page.getByText(/\d+ \/ 1024 tokens/)).toBeVisible();

	await page.reload();
	await openFromDisk(page, 'ctx.gguf', model);
	await expect(status).toContainText('Context 1024');
	await expect(picker).toHaveValue('1024');
});

test('at 360 px the chat page with a model loaded fits: model bar, composer and Send stay on screen', async ({
	page
}) => {
	await firstAnswerAt(page, { width: 360, height: 740 }, 'hi');
	await page.getByRole('textbox', { name: 'Message' }).fill('next');
	const sendButton = page.getByRole('button', { name: 'Send' });
	await expect(sendButton).toBeVisible();
	const box = (await sendButton.boundingBox())!;
	expect(box.x).toBeGreaterThanOrEqual(0);
	expect(box.x + box.width).toBeLessThanOrEqual(360);
	const widths = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		client: document.documentElement.clientWidth
	}));
	expect(widths.scroll).toBeLessThanOrEqual(widths.client);
	// With a model ready the pickers fold away; "Model and settings" brings them back, on screen.
	await expect(page.getByRole('combobox', { name: 'Context size' })).toBeHidden();
	await expect(page.getByRole('log', { name: 'Messages' })).toBeInViewport();
	await page.getByRole('button', { name: 'Model and settings' }).click();
	await expect(page.getByRole('button', { name: 'Model and settings' })).toHaveAttribute(
		'aria-expanded',
		'true'
	);
	for (const name of ['Context size', 'Downloaded model'])
		expect(
			(await page.getByRole('combobox', { name }).boundingBox())!.x +
				(await page.getByRole('combobox', { name }).boundingBox())!.width
		).toBeLessThanOrEqual(360);
});

test('on a phone the chat comes first: the conversation list folds away behind "Chats (n)"', async ({
	page
}) => {
	await firstAnswerAt(page, { width: 390, height: 844 }, 'first question');
	const conversations = page.getByRole('navigation', { name: 'Conversations' });
	await expect(conversations).toBeHidden();
	await expect(page.getByRole('log', { name: 'Messages' })).toBeInViewport();

	const toggle = page.getByRole('button', { name: 'Chats (1)' });
	await expect(toggle).toHaveAttribute('aria-expanded', 'false');
	await page.getByRole('button', { name: 'New chat' }).click();
	await expect(page.getByRole('button', { name: 'Chats (2)' })).toBeVisible();
	await expect(assistant(page)).toHaveCount(0);

	// Open the list, pick the first chat: the list folds away again and the chat shows.
	await page.getByRole('button', { name: 'Chats (2)' }).click();
	await expect(page.getByRole('button', { name: 'Hide chats' })).toHaveAttribute(
		'aria-expanded',
		'true'
	);
	expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
	await conversations.getByRole('button', { name: 'first question', exact: true }).click();
	await expect(conversations).toBeHidden();
	await expect(assistant(page).first()).toContainText('ok');
	expect((await new AxeBuilder({ page }).include('main').analyze()).violations).toEqual([]);
});

test('on a desktop a long chat title is cut in the sidebar, which stays clear of the chat', async ({
	page
}) => {
	const title = 'A question with a title far too long for the sidebar of conversations';
	await firstAnswerAt(page, { width: 1280, height: 860 }, title);
	const list = page.getByRole('complementary');
	// Titles are the first words of the first message (cut to a length), here still wider than 16rem.
	const item = list.getByRole('button', { name: /^A question with a title far too long/ });
	await expect(item).toBeVisible();
	const sidebar = (await list.boundingBox())!;
	const chat = (await page.getByRole('log', { name: 'Messages' }).boundingBox())!;
	expect(sidebar.x + sidebar.width).toBeLessThanOrEqual(chat.x);
	// Every control of the list (open, rename, delete, search) ends inside the sidebar.
	for (const control of await list.locator('button, input').all()) {
		const box = await control.boundingBox();
		if (box) expect(box.x + box.width).toBeLessThanOrEqual(sidebar.x + sidebar.width + 0.5);
	}
	// The title is cut with an ellipsis, not wrapped or spilled.
	expect(await item.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});

test('the open conversation is in the URL: a reload keeps it, Back and Forward switch between chats', async ({
	page
}) => {
	const title = (text: string) => page.getByRole('heading', { level: 1, name: text });
	const conversationId = () => new URL(page.url()).searchParams.get('c');
	await page.goto('/');
	await openFromDisk(page, 'url.gguf', makeScriptedLlamaGguf({ reply: 'ok' }));
	await send(page, 'First topic');
	await expect(assistant(page).first()).toContainText('ok');
	await expect(title('First topic')).toBeVisible();
	await expect.poll(conversationId).not.toBeNull();
	const first = conversationId()!;

	await page.getByRole('button', { name: 'New chat' }).click();
	await send(page, 'Second topic');
	await expect(title('Second topic')).toBeVisible();
	await expect.poll(conversationId).not.toBe(first);
	const second = conversationId()!;
	expect(second).not.toBeNull();

	await page.goBack();
	await expect(title('First topic')).toBeVisible();
	await expect(user(page)).toHaveText(/First topic/);
	expect(conversationId()).toBe(first);

	// The older chat stays open across a reload (without the URL the newest would open).
	await page.reload();
	await expect(title('First topic')).toBeVisible();
	await expect(user(page)).toHaveText(/First topic/);

	await page.goForward();
	await expect(title('Second topic')).toBeVisible();
	expect(conversationId()).toBe(second);
});
