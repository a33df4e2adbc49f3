/**
 * `bench/gpu-check.sh`: WebGPU on a real GPU, in one shot. Headless Chromium with the flags that
 * give WebGPU the machine's GPU on Linux (Vulkan through ANGLE; see GPU_ARGS), then: the adapter and
 * whether it has `shader-f16`; the app's backend plan for each model; wllama on WebGPU vs on the CPU
 * (same model, prompt, greedy); Citrate's engine with its own plan. Also what happens on an adapter
 * without `shader-f16` (wllama #241 / llama.cpp #23844): the CPU path must survive it.
 * Writes bench/results/gpu.json. Without a GPU it runs the CPU part and says so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium-path.mjs';
import { benchModels } from './inference-models';
import { openBenchPage } from './inference-open';
import type { RunOptions, RunResult } from './inference-page';
import { startBenchServer } from './inference-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench/results/gpu.json');
const TIMEOUT_MS = Number(process.env.GPU_CHECK_TIMEOUT_MS ?? 10 * 60_000);

/**
 * WebGPU on the real GPU in headless Chromium on Linux: Vulkan for the GPU process, ANGLE on Vulkan,
 * no Vulkan surface (there is no display), WebGPU allowed on Linux (still behind a flag there) and
 * the GPU blocklist ignored (server GPUs are often on it), and Dawn's f16 toggle for NVIDIA.
 */
export const GPU_ARGS = [
	'--enable-unsafe-webgpu',
	'--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan',
	'--use-angle=vulkan',
	'--use-vulkan',
	'--disable-vulkan-surface',
	'--ignore-gpu-blocklist',
	// Dawn hides shader-f16 on NVIDIA + Vulkan unless asked (llama.cpp #24723 turns the same toggle on
	// natively); without shader-f16 llama.cpp's WebGPU backend registers no device.
	'--enable-dawn-features=vulkan_enable_f16_on_nvidia'
];

const PROMPT =
	'The quick brown fox jumps over the lazy dog while the small cat sleeps in the warm sun. ' +
	'A little girl named Lily went to the park with her mother and found a big red ball.';

async function attempt<T>(what: () => Promise<T>): Promise<T | { error: string }> {
	try {
		return await what();
	} catch (error) {
		return { error: error instanceof Error ? error.message : String(error) };
	}
}

const run = (page: Page, which: 'citrate' | 'bare', o: RunOptions) =>
	attempt(() =>
		page.evaluate(
			([w, opts]) => (w === 'citrate' ? window.bench.citrate(opts) : window.bench.bare(opts)),
			[which, o] as const
		)
	);

const speed = (r: RunResult | { error: string }) =>
	'error' in r
		? r
		: {
				decode: r.decodeTokensPerSecond,
				prefill: r.prefillTokensPerSecond,
				ttftMs: r.ttftMs,
				loadMs: r.loadMs,
				backend: r.backend
			};

async function main() {
	const only = process.env.GPU_CHECK_ONLY ?? (process.env.GPU_CHECK_FULL ? undefined : '107M-Q4_K');
	const models = (await benchModels(ROOT, only)).filter((m) => m.name !== 'stories260K.gguf');
	const { server, url } = await startBenchServer(ROOT, models);
	const browser = await chromium.launch({
		executablePath: findChromium(),
		args: [...CHROMIUM_ARGS, ...GPU_ARGS]
	});
	try {
		const page = await browser.newPage();
		page.setDefaultTimeout(300_000);
		await openBenchPage(page, `${url}bench/inference.html`);
		const cores = await page.evaluate(() => window.bench.cores());
		const threads = Number(process.env.GPU_CHECK_THREADS ?? cores);
		const first = await page.evaluate((b) => window.bench.gpu(b), models[0]?.sizeBytes ?? 1);
		const adapter = first.adapter;
		const realGpu = Boolean(
			adapter && !/swiftshader|llvmpipe|lavapipe/i.test(JSON.stringify(adapter))
		);
		console.log(
			adapter
				? `WebGPU adapter: ${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}; shader-f16: ${first.shaderF16}${realGpu ? '' : ' (a software adapter: no real GPU here)'}`
				: 'No WebGPU adapter: this machine has no GPU Chromium can use (CPU part only).'
		);
		const results = [];
		for (const model of models) {
			await page.evaluate((name) => window.bench.store(name), model.name);
			const plan = await page.evaluate((b) => window.bench.gpu(b), model.sizeBytes);
			const base: RunOptions = {
				model: model.name,
				threads,
				prompt: PROMPT,
				maxTokens: 16,
				contextSize: 1024
			};
			await run(page, 'bare', { ...base, maxTokens: 2 }); // warm-up
			const cpu = await run(page, 'bare', { ...base, gpuLayers: 0 });
			// With a GPU: all layers on it. Without shader-f16 this is the llama.cpp #23844 case: does it
			// abort, or fall back? (The app never asks for it: its plan keeps such adapters off.)
			const webgpu = adapter
				? await run(page, 'bare', { ...base, gpuLayers: 999 })
				: { error: 'no adapter' };
			// The CPU path after that, in a fresh worker: it must still work.
			const cpuAfter = await run(page, 'bare', { ...base, gpuLayers: 0 });
			const app = await run(page, 'citrate', { ...base, autoBackend: true });
			const row = {
				model: model.name,
				sizeBytes: model.sizeBytes,
				plan: plan.plan,
				appPicksWebGpu: plan.plan.backend === 'webgpu',
				wllamaCpu: speed(cpu),
				wllamaWebGpu: speed(webgpu),
				wllamaCpuAfterWebGpuAttempt: speed(cpuAfter),
				app: speed(app),
				webGpuVsCpuDecode:
					!('error' in webgpu) && !('error' in cpu)
						? webgpu.decodeTokensPerSecond / cpu.decodeTokensPerSecond
						: null
			};
			results.push(row);
			console.log(JSON.stringify(row));
		}
		const report = {
			date: new Date().toISOString(),
			browser: browser.version(),
			flags: GPU_ARGS,
			hardwareConcurrency: cores,
			threads,
			navigatorGpu: first.navigatorGpu,
			adapter,
			shaderF16: first.shaderF16,
			realGpu,
			note: realGpu
				? 'Real GPU: WebGPU figures are meaningful.'
				: 'No real GPU here: only the CPU part (and the behaviour on an adapter without shader-f16, when Chromium offers a software one) was checked.',
			results
		};
		mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
		writeFileSync(OUT, JSON.stringify(report, null, 2) + '\n');
		console.log(`wrote ${OUT}`);
	} finally {
		await browser.close();
		await server.close();
	}
}

setTimeout(() => {
	console.error(`gpu-check gave up after ${TIMEOUT_MS / 1000} s`);
	process.exit(1);
}, TIMEOUT_MS).unref();

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	}
);
