/**
 * Drives the Hub emulator's real OAuth pages from a browser test. The authorize URL is opened in an
 * iframe whose host is made same-site with the test page (the emulator listens on 127.0.0.1; the
 * test page is on localhost), so the provider's SameSite=Lax cookies work; Playwright fills the
 * login and consent forms inside it; the provider then redirects the iframe to our (same-origin)
 * /auth/callback, whose URL — code, state, iss — we read back. Not a test file itself.
 */
import { inject } from 'vitest';
import { page } from 'vitest/browser';
import type { AuthConfig } from '../../src/lib/auth/types';

export const hubUrl = (inject as unknown as (key: string) => string)('hubUrl');

export function testConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
	return {
		hubUrl,
		oauthIssuer: hubUrl,
		clientId: 'citrate-e2e',
		scopes: ['openid', 'profile', 'gated-repos'],
		...overrides
	};
}

export const redirectUri = `${location.origin}/auth/callback`;

export async function emulator(path: string, body?: unknown, method = 'POST'): Promise<unknown> {
	const response = await fetch(new URL(path, hubUrl), {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status}`);
	const text = await response.text();
	return text ? JSON.parse(text) : null;
}

let frameCount = 0;

/**
 * Opens `authorizeUrl` (forcing the login and consent pages), signs in as `username`, answers the
 * consent page, and returns the callback URL the provider redirected to.
 */
export async function authorizeInFrame(
	authorizeUrl: URL,
	options: { username?: string; password?: string; decision?: 'Authorize' | 'Deny' } = {}
): Promise<URL> {
	const username = options.username ?? 'alice';
	const url = new URL(authorizeUrl);
	url.hostname = location.hostname;
	url.searchParams.set('prompt', 'login consent');
	const iframe = document.createElement('iframe');
	const testId = `oauth-frame-${++frameCount}`;
	iframe.dataset.testid = testId;
	iframe.title = 'Hugging Face sign-in';
	iframe.style.width = '480px';
	iframe.style.height = '640px';
	// The test page is cross-origin isolated (COEP): an embedded page without COEP headers of its
	// own loads only as a credentialless iframe (its cookies live as long as the iframe).
	iframe.setAttribute('credentialless', '');
	iframe.src = url.href;
	document.body.append(iframe);
	try {
		const frame = page.frameLocator(page.getByTestId(testId));
		await frame.getByLabelText('Username').fill(username);
		await frame.getByLabelText('Password').fill(options.password ?? `${username}-password`);
		await frame.getByRole('button', { name: 'Sign in' }).click();
		await frame.getByRole('button', { name: options.decision ?? 'Authorize' }).click();
		const deadline = Date.now() + 20_000;
		for (;;) {
			let href: string | null = null;
			try {
				href = iframe.contentWindow?.location.href ?? null;
			} catch {
				href = null; // still on the emulator's origin
			}
			if (href?.startsWith(redirectUri)) return new URL(href);
			if (Date.now() > deadline) throw new Error('the provider never redirected to the callback');
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	} finally {
		iframe.remove();
	}
}
