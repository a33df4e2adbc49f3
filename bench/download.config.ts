import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium-path.mjs';

/**
 * `npm run bench:download`: the full download pipeline (fetch + OPFS segment writes + SHA-256 +
 * verify) against raw fetch-to-nowhere of the same bytes, in one real Chromium run.
 */
/** CPU time of the whole machine (ms): the bench reports how many cores each run kept busy. */
function cpuTimes(): { busy: number; total: number; cores: number } {
	let busy = 0;
	let total = 0;
	const all = cpus();
	for (const { times } of all) {
		const sum = times.user + times.nice + times.sys + times.irq + times.idle;
		total += sum;
		busy += sum - times.idle;
	}
	return { busy, total, cores: all.length };
}

declare module 'vitest/browser' {
	interface BrowserCommands {
		cpuTimes: () => Promise<{ busy: number; total: number; cores: number }>;
	}
}

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
			instances: [{ browser: 'chromium' }],
			commands: { cpuTimes }
		}
	}
});
