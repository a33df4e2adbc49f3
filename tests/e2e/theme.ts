/**
 * Emulates the system theme for the axe checks across themes. Reduced motion ends the theme's
 * colour transitions at once; the wait covers the rest: once in CI axe ran after the media
 * change but saw the other theme's text colour on the new background.
 */
import { expect, type Page } from '@playwright/test';

/** `--c-text` of each theme (src/lib/styles/app.css), as computed styles give it. */
const TEXT = { light: 'rgb(28, 25, 23)', dark: 'rgb(245, 243, 239)' } as const;

export async function emulateTheme(page: Page, theme: 'light' | 'dark') {
	await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
	const other = TEXT[theme === 'light' ? 'dark' : 'light'];
	await expect
		.poll(
			() =>
				page.evaluate(async (stale) => {
					await new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)));
					return [...document.querySelectorAll('body, h1, h2')].filter(
						(element) => getComputedStyle(element).color === stale
					).length;
				}, other),
			{ message: `text still in the ${theme === 'light' ? 'dark' : 'light'} theme's colour` }
		)
		.toBe(0);
}
