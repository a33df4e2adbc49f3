import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium-path.mjs';

/** `npm run bench:pin`: pin throughput vs SHA-256 throughput in one real Chromium run. */
export default defineConfig({
	root: fileURLToPath(new URL('..', import.meta.url)),
	worker: { format: 'es' },
	// Everything the bench imports is pre-bundled up front, so Vite never reloads the page mid-run.
	optimizeDeps: {
		include: [
			'hash-wasm',
			'helia',
			'blockstore-core/base',
			'ipfs-unixfs',
			'@ipld/car',
			'@ipld/dag-pb',
			'ipfs-unixfs-importer',
			'ipfs-unixfs-importer/chunker',
			'ipfs-unixfs-importer/layout',
			'multiformats/codecs/raw',
			'multiformats/hashes/identity',
			'multiformats/hashes/sha2'
		]
	},
	test: {
		include: ['bench/pin.browser.ts'],
		testTimeout: 900_000,
		browser: {
			enabled: true,
			headless: true,
			provider: playwright({
				launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS }
			}),
			instances: [{ browser: 'chromium' }]
		}
	}
});
