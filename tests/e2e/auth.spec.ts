import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type Request } from '@playwright/test';

/**
 * Sign-in end to end: the built app, the Hub emulator's real login and consent pages, reloads,
 * sign-out, the personal-access-token path, and where the token travels.
 */

const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const hubUrl = `http://127.0.0.1:${hubPort}`;
const hubOrigin = new URL(hubUrl).origin;
const ALICE_PAT = 'hf_AliceReadToken0123456789abcdefghij';
const START_PATH = '/models/citrate-test/gated-llama-GGUF';

interface EmulatorRequest {
	time: number;
	origin: 'hub' | 'cdn';
	method: string;
	url: string;
	headers: Record<string, string | string[] | undefined>;
}

async function emulator(method: string, path: string, body?: unknown): Promise<unknown> {
	const response = await fetch(`${hubUrl}${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	expect(response.ok, `${method} ${path}`).toBe(true);
	const text = await response.text();
	return text ? JSON.parse(text) : null;
}

interface Recorded {
	url: string;
	headers: Record<string, string>;
	postData: string | null;
}

/** Every request the browser makes (pages, workers, service worker), with its final headers. */
function recordRequests(page: Page): Recorded[] {
	const recorded: Recorded[] = [];
	const record = (request: Request) => {
		void request.allHeaders().then(
			(headers) => recorded.push({ url: request.url(), headers, postData: request.postData() }),
			() => recorded.push({ url: request.url(), headers: request.headers(), postData: null })
		);
	};
	page.context().on('request', record);
	return recorded;
}

async function signInThroughEmulator(page: Page, decision: 'Authorize' | 'Deny' = 'Authorize') {
	await page.getByRole('button', { name: 'Sign in with Hugging Face' }).first().click();
	await expect(page).toHaveURL(new RegExp(`^${hubOrigin}/oauth/interaction/`));
	await page.getByLabel('Username').fill('alice');
	await page.getByLabel('Password').fill('alice-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: decision }).click();
}

const accountButton = (page: Page) =>
	page.getByRole('button', { name: 'Account: Alice Liddell (@alice)' });

test.beforeEach(async () => {
	await emulator('POST', '/__emulator/reset');
	await emulator('DELETE', '/__emulator/requests');
});
test.afterAll(async () => {
	await emulator('POST', '/__emulator/reset');
});

test('signs in through the emulator, stays signed in across reloads, signs out; the token only goes to the Hub in Authorization', async ({
	page
}) => {
	const recorded = recordRequests(page);
	await page.goto(START_PATH);
	await expect(
		page.getByRole('button', { name: 'Sign in with Hugging Face' }).first()
	).toBeVisible();

	await signInThroughEmulator(page);

	// Back where the user was, signed in, with name and avatar in the header.
	await expect(page).toHaveURL(new RegExp(`${START_PATH}$`));
	await expect(accountButton(page)).toBeVisible();
	const avatar = accountButton(page).getByTestId('user-avatar');
	await expect(avatar).toBeVisible();
	await expect
		.poll(() => avatar.evaluate((img) => (img as HTMLImageElement).naturalWidth))
		.toBeGreaterThan(0);
	await accountButton(page).click();
	await expect(page.getByTestId('account-name')).toHaveText('Alice Liddell');
	await expect(page.getByTestId('account-username')).toHaveText('@alice');

	// Reload: still signed in (the session comes back from the encrypted vault).
	await page.reload();
	await expect(accountButton(page)).toBeVisible();

	// A gated download with the OAuth token: the service worker reads it from the vault.
	await page.keyboard.press('Escape');
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await page
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(page.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 60_000 });

	// Where did the access token go?
	const log = (await emulator('GET', '/__emulator/requests')) as EmulatorRequest[];
	const bearer = log
		.map((entry) => entry.headers.authorization)
		.find((value): value is string => typeof value === 'string' && /Bearer hf_oauth_/.test(value));
	expect(bearer, 'the app used its OAuth token on the Hub').toBeTruthy();
	const token = bearer!.slice('Bearer '.length);
	const resolves = log.filter((entry) => entry.url.includes('/resolve/'));
	expect(
		resolves.some(
			(entry) => entry.origin === 'hub' && entry.headers.authorization === `Bearer ${token}`
		),
		'the gated download asked the Hub with the token'
	).toBe(true);
	expect(
		log.filter((entry) => entry.origin === 'cdn' && entry.method === 'GET').length,
		'the download reached the CDN'
	).toBeGreaterThan(0);
	for (const entry of log) {
		expect(entry.url, 'never in a URL').not.toContain(token);
		for (const [name, value] of Object.entries(entry.headers)) {
			if (!String(value).includes(token)) continue;
			expect(name, `token in header ${name} of ${entry.url}`).toBe('authorization');
			expect(entry.origin, `token sent to the ${entry.origin} origin`).toBe('hub');
		}
	}
	// The browser did send it (to the Hub, in Authorization): the checks below see real traffic.
	await expect
		.poll(() =>
			recorded.some(
				(r) => r.headers.authorization === `Bearer ${token}` && new URL(r.url).origin === hubOrigin
			)
		)
		.toBe(true);
	for (const request of recorded) {
		expect(request.url, 'never in a URL').not.toContain(token);
		expect(request.postData ?? '', `never in a request body: ${request.url}`).not.toContain(token);
		for (const [name, value] of Object.entries(request.headers)) {
			if (!value.includes(token)) continue;
			expect(name.toLowerCase(), `token in header ${name} of ${request.url}`).toBe('authorization');
			expect(new URL(request.url).origin, `token sent to ${request.url}`).toBe(hubOrigin);
		}
	}
	const webStorage = await page.evaluate(() =>
		JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })
	);
	expect(webStorage).not.toContain(token);
	expect(webStorage).not.toContain('hf_oauth_');

	// Sign out: anonymous, and still anonymous after a reload.
	await accountButton(page).click();
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(
		page.getByRole('button', { name: 'Sign in with Hugging Face' }).first()
	).toBeVisible();
	await expect(accountButton(page)).toHaveCount(0);
	await page.reload();
	await expect(
		page.getByRole('button', { name: 'Sign in with Hugging Face' }).first()
	).toBeVisible();
	await expect(accountButton(page)).toHaveCount(0);
});

test('CSP: strict policy in the page; blob workers compile WebAssembly; inline script, eval and other origins are blocked', async ({
	page
}) => {
	const violations: string[] = [];
	page.on('console', (message) => {
		if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
	});
	await page.goto('/settings');
	await expect(page.getByRole('region', { name: 'Account' })).toBeVisible();
	expect(violations, 'the app itself runs without CSP violations').toEqual([]);
	const result = await page.evaluate(async () => {
		const policy =
			document
				.querySelector('meta[http-equiv="content-security-policy"]')
				?.getAttribute('content') ?? '';
		// What wllama does: a worker from a blob: URL that compiles WebAssembly.
		const source = `onmessage = async () => {
			try { await WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); postMessage('wasm ok'); }
			catch (e) { postMessage('wasm failed: ' + e); }
		};`;
		const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
		const wasm = await new Promise<string>((resolve) => {
			worker.onmessage = (event) => resolve(String(event.data));
			worker.onerror = (event) => resolve(`worker failed: ${event.message}`);
			worker.postMessage('go');
		});
		worker.terminate();
		let evalResult = 'allowed';
		try {
			(0, eval)('1 + 1');
		} catch {
			evalResult = 'blocked';
		}
		const script = document.createElement('script');
		script.textContent = 'window.__cspInline = true;';
		document.body.append(script);
		const inline = (window as unknown as { __cspInline?: boolean }).__cspInline ? 'ran' : 'blocked';
		const blocked: string[] = [];
		document.addEventListener('securitypolicyviolation', (event) => blocked.push(event.blockedURI));
		await fetch('https://exfiltrate.example.com/collect').catch(() => undefined);
		for (let i = 0; i < 50 && !blocked.some((uri) => uri.includes('exfiltrate')); i++)
			await new Promise((resolve) => setTimeout(resolve, 100));
		const blockedUri = blocked.join(' ');
		return { policy, wasm, evalResult, inline, blockedUri };
	});
	expect(result.policy).toContain("default-src 'self'");
	expect(result.policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
	expect(result.policy).toContain("worker-src 'self' blob:");
	expect(result.policy).toContain(`connect-src 'self'`);
	expect(result.policy).toContain(hubOrigin);
	expect(result.wasm).toBe('wasm ok');
	expect(result.evalResult).toBe('blocked');
	expect(result.inline).toBe('blocked');
	expect(result.blockedUri).toContain('exfiltrate.example.com');
});

test('without a refresh token the app warns before the session ends and offers to sign in again', async ({
	page
}) => {
	await emulator('POST', '/__emulator/config', {
		refreshTokens: false,
		accessTokenTtlSeconds: 600
	});
	await page.goto('/library');
	await signInThroughEmulator(page);
	await expect(accountButton(page)).toBeVisible();
	const again = page.getByRole('button', { name: 'Session ends soon: sign in again' });
	await expect(again).toBeVisible();
	await again.click();
	// Straight back to the provider (still signed in there: consent only), then back here.
	await expect(page).toHaveURL(new RegExp(`^${hubOrigin}/oauth/interaction/`));
	await page.getByRole('button', { name: 'Authorize' }).click();
	await expect(page).toHaveURL(/\/library$/);
	await expect(accountButton(page)).toBeVisible();
});

test('denying consent shows a clear error with a way to retry, and signs nobody in', async ({
	page
}) => {
	await page.goto('/library');
	await signInThroughEmulator(page, 'Deny');
	await expect(page).toHaveURL(/\/auth\/callback$/);
	await expect(page.getByRole('heading', { name: 'Sign-in failed' })).toBeVisible();
	await expect(page.getByRole('alert').filter({ hasText: 'access was not granted' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
	await expect(accountButton(page)).toHaveCount(0);
	const axe = await new AxeBuilder({ page }).include('main').analyze();
	expect(axe.violations, 'the callback error view has no axe violations').toEqual([]);
	// Try again goes back to the provider (the emulator remembers the login, asks consent again).
	await page.getByRole('button', { name: 'Try again' }).click();
	await expect(page).toHaveURL(new RegExp(`^${hubOrigin}/oauth/interaction/`));
	await page.getByRole('button', { name: 'Authorize' }).click();
	await expect(page).toHaveURL(/\/library$/);
	await expect(accountButton(page)).toBeVisible();
});

test('personal access token: malformed and rejected tokens are refused with a message; a good one signs in', async ({
	page
}) => {
	await page.goto('/settings');
	const account = page.getByRole('region', { name: 'Account' });
	const field = account.getByRole('textbox', { name: 'Personal access token' });
	const save = account.getByRole('button', { name: 'Save token' });
	// axe needs the section rendered, or it finds nothing to include.
	await expect(field).toBeVisible();

	const axe = await new AxeBuilder({ page }).include('#account').analyze();
	expect(axe.violations, 'the Account section has no axe violations').toEqual([]);

	await field.fill('hf_short');
	await save.click();
	await expect(account.getByRole('alert')).toContainText(
		'does not look like a Hugging Face access token'
	);
	await expect(accountButton(page)).toHaveCount(0);

	await field.fill('hf_NotARealToken0123456789abcdefghijkl');
	await save.click();
	await expect(account.getByRole('alert')).toContainText('did not accept this token');
	await expect(accountButton(page)).toHaveCount(0);

	await field.fill(ALICE_PAT);
	await save.click();
	await expect(accountButton(page)).toBeVisible();
	await expect(account.getByText('Personal access token', { exact: true })).toBeVisible();

	const stored = await page.evaluate(() =>
		JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })
	);
	expect(stored).not.toContain(ALICE_PAT);
	await page.reload();
	await expect(accountButton(page)).toBeVisible();
	await page
		.getByRole('region', { name: 'Account' })
		.getByRole('button', { name: 'Sign out' })
		.click();
	await expect(accountButton(page)).toHaveCount(0);
});

test('at 360 px the sign-in button reads "Sign in", keeps its full name, and its icon stays clear of its text', async ({
	page
}) => {
	/** The button's box, how wide the words after "Sign in" are drawn, and icon-to-text gap. */
	const measure = () =>
		page.getByRole('button', { name: 'Sign in with Hugging Face' }).evaluate((button) => {
			const icon = button.querySelector('svg')!.getBoundingClientRect();
			const label = button.querySelector('.sign-in-label')!;
			const range = document.createRange();
			range.selectNodeContents(label.firstChild!);
			const text = range.getBoundingClientRect();
			const more = label.querySelector('.sign-in-more')!.getBoundingClientRect();
			const box = button.getBoundingClientRect();
			return {
				width: box.width,
				right: box.right,
				viewport: document.documentElement.clientWidth,
				first: range.toString().trim(),
				textWidth: text.width,
				moreWidth: more.width,
				iconWidth: icon.width,
				gap: text.left - icon.right
			};
		});

	await page.setViewportSize({ width: 360, height: 740 });
	await page.goto('/');
	const narrow = await measure();
	expect(narrow.first).toBe('Sign in');
	expect(narrow.textWidth).toBeGreaterThan(20);
	expect(narrow.moreWidth).toBeLessThanOrEqual(1);
	expect(narrow.width).toBeLessThan(130);
	expect(narrow.iconWidth).toBeGreaterThan(8);
	expect(narrow.gap).toBeGreaterThanOrEqual(0);
	expect(narrow.right).toBeLessThanOrEqual(narrow.viewport);

	await page.setViewportSize({ width: 1280, height: 800 });
	const wide = await measure();
	expect(wide.moreWidth).toBeGreaterThan(60);
	expect(wide.gap).toBeGreaterThanOrEqual(0);
});
