/**
 * Opens the bench page and waits until it says "ready", or fails fast: a module that does not
 * transform or load (HTTP ≥ 400), an uncaught error, or a crash ends the wait with an error naming
 * the cause, so `npm run bench:inference` exits non-zero instead of hanging.
 */
import type { Page } from 'playwright';

export async function openBenchPage(page: Page, url: string, timeoutMs = 120_000): Promise<void> {
	const failures: string[] = [];
	let wake: (() => void) | undefined;
	const fail = (why: string) => {
		failures.push(why);
		wake?.();
	};
	page.on('pageerror', (error) => fail(`uncaught error in the page: ${error.message}`));
	page.on('crash', () => fail('the page crashed'));
	// The page and its modules (a favicon or a model fetch is not the page failing to load).
	const essential = (type: string) => type === 'document' || type === 'script';
	page.on('response', (response) => {
		if (response.status() >= 400 && essential(response.request().resourceType()))
			fail(`${response.url()} answered HTTP ${response.status()} ${response.statusText()}`);
	});
	page.on('requestfailed', (request) => {
		if (essential(request.resourceType()))
			fail(`${request.url()} failed: ${request.failure()?.errorText ?? 'unknown'}`);
	});
	const failed = new Promise<never>((_, reject) => {
		wake = () => reject(new Error(`the bench page failed to load: ${failures.join('; ')}`));
		if (failures.length) wake();
	});
	const ready = (async () => {
		await page.goto(url);
		await page.waitForFunction(
			() => document.getElementById('state')?.textContent === 'ready',
			null,
			{
				timeout: timeoutMs
			}
		);
	})();
	ready.catch(() => {});
	failed.catch(() => {});
	await Promise.race([ready, failed]);
}
