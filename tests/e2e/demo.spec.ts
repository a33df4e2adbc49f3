import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';

/**
 * What `npm run demo` offers a newcomer: the app wired to the Hub emulator, its catalog, and the
 * emulator's own sign-in and consent pages (accessible, fillable by label, leading back to the app).
 */

const HUB = `http://127.0.0.1:${process.env.E2E_HUB_PORT ?? 8787}`;

function authorizeUrl(redirectUri: string): string {
	const verifier = randomBytes(32).toString('base64url');
	const challenge = createHash('sha256').update(verifier).digest('base64url');
	const q = new URLSearchParams({
		client_id: 'citrate-e2e',
		redirect_uri: redirectUri,
		response_type: 'code',
		scope: 'openid profile gated-repos',
		state: randomBytes(16).toString('base64url'),
		nonce: randomBytes(16).toString('base64url'),
		code_challenge: challenge,
		code_challenge_method: 'S256'
	});
	return `${HUB}/oauth/authorize?${q}`;
}

test('the app lists the emulator catalog', async ({ page }) => {
	await page.goto('/models');
	await expect(
		page.getByRole('link', { name: 'Qwen2.5-Coder-7B-Instruct-GGUF' }).first()
	).toBeVisible();
});

test('the emulator sign-in and consent pages are accessible and answer the app', async ({
	page,
	baseURL
}) => {
	const redirect = `${baseURL}/auth/callback`;
	await page.goto(authorizeUrl(redirect));
	await expect(page.getByRole('heading', { name: 'Sign in to Hugging Face' })).toBeVisible();
	expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

	await page.getByLabel('Username').fill('bob');
	await page.getByLabel('Password').fill('wrong');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
	await page.getByLabel('Password').fill('bob-password');
	await page.getByRole('button', { name: 'Sign in' }).click();

	await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
	expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
	await page.getByRole('button', { name: 'Deny' }).click();
	await page.waitForURL((url) => url.href.startsWith(redirect));
	expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
});
