import { mkdirSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import type { BrowserCommandContext } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium-path.mjs';
import type { BackgroundPlan } from '../src/lib/downloads/types';

/**
 * `npm run bench:download`: the full download pipeline (fetch + OPFS segment writes + SHA-256 +
 * verify) and the same download carried by Background Fetch, against raw fetch-to-nowhere of the
 * same bytes, in one real Chromium run.
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

/**
 * CPU milliseconds per MiB that this machine's kernel spends writing bytes to a new file on the
 * disk that holds the browser profile (the OS temp folder): a cost every OPFS write pays, whatever
 * the browser API, on top of the browser's own.
 */
async function diskWriteCost(): Promise<{ cpuMsPerMiB: number; mibPerSecond: number }> {
	const MIB = 1024 * 1024;
	const total = 256 * MIB;
	const block = Buffer.alloc(4 * MIB, 0x5a);
	const path = join(tmpdir(), `citrate-bench-disk-${process.pid}.bin`);
	const handle = await open(path, 'w');
	const cpu = process.cpuUsage();
	const started = performance.now();
	try {
		for (let at = 0; at < total; at += block.length) await handle.write(block, 0, block.length, at);
	} finally {
		await handle.close();
	}
	const seconds = (performance.now() - started) / 1000;
	const used = process.cpuUsage(cpu);
	await rm(path, { force: true });
	return {
		cpuMsPerMiB: (used.user + used.system) / 1000 / (total / MIB),
		mibPerSecond: total / MIB / seconds
	};
}

/** Peak growth (bytes) of the JS heap and of array-buffer backing stores. */
export interface MemoryGrowth {
	jsHeap: number;
	arrayBuffers: number;
}

/**
 * The page's memory, read over CDP (`Runtime.getHeapUsage`, the isolate the test frame runs in)
 * every 20 ms between `heapStart` (after a forced full GC) and `heapStop`, which answers the peak
 * growth of the JS heap and of array-buffer backing stores (fetched chunks live there).
 * `performance.memory` is no use here: it does not move within a run.
 */
let heapSampling: { stop: () => Promise<MemoryGrowth> } | null = null;

async function heapStart(ctx: BrowserCommandContext): Promise<void> {
	const cdp = await ctx.context.newCDPSession(ctx.page);
	await cdp.send('HeapProfiler.collectGarbage');
	const usage = () => cdp.send('Runtime.getHeapUsage');
	const base = await usage();
	const peak = { jsHeap: base.usedSize, arrayBuffers: base.backingStorageSize };
	const sample = async () => {
		const now = await usage();
		peak.jsHeap = Math.max(peak.jsHeap, now.usedSize);
		peak.arrayBuffers = Math.max(peak.arrayBuffers, now.backingStorageSize);
	};
	let running = true;
	const loop = (async () => {
		while (running) {
			await sample();
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	})();
	heapSampling = {
		async stop() {
			running = false;
			await loop;
			await sample();
			await cdp.detach();
			return {
				jsHeap: peak.jsHeap - base.usedSize,
				arrayBuffers: peak.arrayBuffers - base.backingStorageSize
			};
		}
	};
}

async function heapStop(): Promise<MemoryGrowth> {
	const sampling = heapSampling;
	heapSampling = null;
	return sampling ? sampling.stop() : { jsHeap: 0, arrayBuffers: 0 };
}

/**
 * Starts a background fetch from the top-level page (the tests run in an iframe, where Chromium
 * accepts the fetch but never moves a byte of it). Resolves once the browser took it.
 */
async function startBackgroundFetch(
	ctx: BrowserCommandContext,
	scope: string,
	plan: BackgroundPlan
): Promise<void> {
	await ctx.page.evaluate(
		async ({ scope, plan }) => {
			const registration = (await navigator.serviceWorker.getRegistration(scope)) as
				| (ServiceWorkerRegistration & {
						backgroundFetch: {
							fetch(
								id: string,
								requests: Request[],
								options: { title: string; downloadTotal: number }
							): Promise<unknown>;
						};
				  })
				| undefined;
			if (!registration) throw new Error(`no service worker at ${scope}`);
			await registration.backgroundFetch.fetch(
				plan.fetchId,
				plan.files.map(
					(file) =>
						new Request(file.url, {
							mode: 'cors',
							credentials: 'omit',
							headers: file.start > 0 ? { Range: `bytes=${file.start}-` } : {}
						})
				),
				{ title: plan.title, downloadTotal: plan.downloadTotal }
			);
		},
		{ scope, plan }
	);
}

declare module 'vitest/browser' {
	interface BrowserCommands {
		cpuTimes: () => Promise<{ busy: number; total: number; cores: number }>;
		diskWriteCost: () => Promise<{ cpuMsPerMiB: number; mibPerSecond: number }>;
		heapStart: () => Promise<void>;
		heapStop: () => Promise<MemoryGrowth>;
		startBackgroundFetch: (scope: string, plan: BackgroundPlan) => Promise<void>;
	}
}

/**
 * A real profile on disk (removed by the global setup's teardown): Background Fetch does not move
 * a byte in an off-the-record context (measured: 0 of 128 MiB in 60 s), and OPFS there lives in
 * memory, unlike a user's.
 */
const profile = join(tmpdir(), `citrate-bench-download-profile-${process.pid}`);
mkdirSync(profile, { recursive: true });
process.env.CITRATE_BENCH_PROFILE = profile;

export default defineConfig({
	root: fileURLToPath(new URL('..', import.meta.url)),
	optimizeDeps: { include: ['hash-wasm', 'idb'] },
	// The Background Fetch run's worker imports the app's service-worker code, which uses `$lib`.
	resolve: { alias: { $lib: fileURLToPath(new URL('../src/lib', import.meta.url)) } },
	test: {
		include: ['bench/download.browser.ts'],
		globalSetup: ['bench/download.setup.ts'],
		testTimeout: 1_800_000,
		fileParallelism: false,
		browser: {
			enabled: true,
			headless: true,
			provider: playwright({
				launchOptions: {
					executablePath: findChromium(),
					args: CHROMIUM_ARGS
				},
				persistentContext: profile
			}),
			instances: [{ browser: 'chromium' }],
			commands: { cpuTimes, diskWriteCost, heapStart, heapStop, startBackgroundFetch }
		}
	}
});
