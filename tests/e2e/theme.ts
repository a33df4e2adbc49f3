/**
 * Emulates the system theme for the axe checks across themes. Reduced motion ends the theme's
 * colour transitions at once; the wait covers the rest: in CI axe once ran after the media change
 * but saw the other theme's text colour on the new background, and once saw a card's text in a
 * colour of neither theme. So the wait lasts until no body or heading has the other theme's text
 * colour and every element's colours are the same two frames apart.
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
					const frame = () =>
						new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
					const colours = () =>
						[...document.querySelectorAll('body, body *')]
							.map((element) => {
								const style = getComputedStyle(element);
								return `${style.color}/${style.backgroundColor}`;
							})
							.join();
					await frame();
					const before = colours();
					await frame();
					if (colours() !== before) return 'colours still changing';
					const staleCount = [...document.querySelectorAll('body, h1, h2, h3')].filter(
						(element) => getComputedStyle(element).color === stale
					).length;
					return staleCount === 0 ? 'settled' : `${staleCount} in the other theme's colour`;
				}, other),
			{ message: `the ${theme} theme has not settled` }
		)
		.toBe('settled');
}
