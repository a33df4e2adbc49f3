import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium-path.mjs';

/**
 * `npm run bench:download`: the full download pipeline (fetch + OPFS segment writes + SHA-256 +
 * verify) against raw fetch-to-nowhere of the same bytes, in one real Chromium run.
 */
export default defineConfig({
	root: fileURLToPath(new URL('..', import.meta.url)),
	optimizeDeps: { include: ['hash-wasm', 'idb'] },
	test: {
		include: ['bench/download.browser.ts'],
		globalSetup: ['bench/download.setup.ts'],
		testTimeout: 900_000,
		browser: {
			enabled: true,
			headless: true,
			provider: playwright({
				launchOptions: {
					executablePath: findChromium(),
					args: [...CHROMIUM_ARGS, '--enable-precise-memory-info']
				}
			}),
			instances: [{ browser: 'chromium' }]
		}
	}
});
