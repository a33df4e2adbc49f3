import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium-path.mjs';

// Tests never reach the public IPFS network: no relays, bootstrap peers or routers unless a test
// configures its own (the peer would otherwise fall back to the public defaults).
if (process.env.VITEST) {
	process.env.PUBLIC_IPFS_RELAYS ??= 'none';
	process.env.PUBLIC_IPFS_BOOTSTRAP ??= 'none';
	process.env.PUBLIC_IPFS_ROUTERS ??= 'none';
}

/** Cross-origin isolation, so wllama can use threads (SharedArrayBuffer). */
const isolationHeaders = {
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'credentialless'
};

export default defineConfig({
	plugins: [sveltekit()],
	server: { headers: isolationHeaders },
	preview: { headers: isolationHeaders },
	worker: { format: 'es' },
	optimizeDeps: {
		exclude: ['@wllama/wllama'],
		// Imported only by the Helia worker, so Vite would find them late and reload the page mid-test.
		include: [
			'blockstore-core/base',
			'helia',
			'ipfs-unixfs',
			'multiformats/codecs/raw',
			'multiformats/hashes/identity'
		]
	},
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: [
						'src/**/*.test.ts',
						'tests/unit/**/*.test.ts',
						'tests/hub-emulator/**/*.test.ts',
						'tests/ipfs-node/**/*.test.ts'
					],
					exclude: ['src/**/*.browser.test.ts'],
					testTimeout: 30_000
				}
			},
			{
				extends: true,
				test: {
					name: 'browser',
					// Real browser + emulator on a shared 2-core machine: one retry in CI, as Playwright has.
					retry: process.env.CI ? 1 : 0,
					include: ['src/**/*.browser.test.ts', 'tests/browser/**/*.test.ts'],
					globalSetup: ['tests/browser/global-setup.ts'],
					testTimeout: 60_000,
					browser: {
						enabled: true,
						headless: true,
						provider: playwright({
							launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS }
						}),
						instances: [{ browser: 'chromium' }]
					}
				}
			}
		]
	}
});
