/**
 * The browser half of `npm run bench:inference`: the same model, prompt and settings through
 * Citrate's engine and through bare wllama. Driven by bench/inference.ts (Playwright).
 */
import { Wllama, type LogLevel } from '@wllama/wllama';
import { planBackend, probeEnvironment } from '../src/lib/inference/backend';
import { InferenceEngine } from '../src/lib/inference/engine';
import { calibrateDetailed } from '../src/lib/inference/speed-calibration';
import { readModelHeadDims } from '../src/lib/inference/gguf-header';
import {
	DEFAULT_TUNING,
	fitTuningToModel,
	wllamaTuningParams,
	type LlamaTuning
} from '../src/lib/inference/tuning';
import type { SamplingSettings } from '../src/lib/inference/types';
import { wllamaWasmUrl } from '../src/lib/inference/wasm-url';

export interface RunOptions {
	model: string;
	threads: number;
	prompt: string;
	maxTokens: number;
	contextSize: number;
	/** llama.cpp knobs, the same on both sides (default: the app's). */
	tuning?: LlamaTuning;
	/** Citrate: let the app's backend plan choose (WebGPU when it can); default the CPU. */
	autoBackend?: boolean;
	/** Bare wllama: llama.cpp `n_gpu_layers` (default 0, the CPU). */
	gpuLayers?: number;
}

export interface RunResult {
	loadMs: number;
	ttftMs: number;
	promptTokens: number;
	completionTokens: number;
	prefillTokensPerSecond: number;
	/**
	 * Tokens after the first ÷ the wall-clock time from the first token to the end, as the reader
	 * sees them arrive: measured the same way for all three engines (native through node-llama-cpp's
	 * token iterator).
	 */
	decodeTokensPerSecond: number;
	/** llama.cpp's own decode timing (wllama's `predicted_per_second`), without the hand-off per token. */
	llamaDecodeTokensPerSecond?: number;
	multiThread: boolean;
	/** Citrate only: the backend its plan chose. */
	backend?: string;
}

const SILENT = { debug() {}, log() {}, warn() {}, error() {} };

async function opfsFile(name: string): Promise<File> {
	const dir = await (
		await navigator.storage.getDirectory()
	).getDirectoryHandle('bench', {
		create: true
	});
	return (await dir.getFileHandle(name)).getFile();
}

/** Copies a model from the bench server into OPFS (once). */
async function store(name: string): Promise<number> {
	const dir = await (
		await navigator.storage.getDirectory()
	).getDirectoryHandle('bench', {
		create: true
	});
	try {
		const existing = await (await dir.getFileHandle(name)).getFile();
		const head = await fetch(`/__bench/models/${name}`, { method: 'HEAD' });
		if (existing.size === Number(head.headers.get('content-length'))) return existing.size;
	} catch {
		// not there yet
	}
	const response = await fetch(`/__bench/models/${name}`);
	if (!response.ok || !response.body) throw new Error(`model ${name}: HTTP ${response.status}`);
	const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
	await response.body.pipeTo(writable);
	return (await opfsFile(name)).size;
}

function sampling(maxTokens: number): SamplingSettings {
	// Greedy and identical on both sides; no penalties (they cost time and differ in nothing).
	return { temperature: 0, topP: 1, topK: 1, minP: 0, repeatPenalty: 1, maxTokens, seed: 1 };
}

function wallDecode(tokens: number, firstTokenAt: number, endAt: number): number {
	return tokens > 1 && endAt > firstTokenAt ? (tokens - 1) / ((endAt - firstTokenAt) / 1000) : NaN;
}

async function citrate(options: RunOptions): Promise<RunResult> {
	const file = await opfsFile(options.model);
	const engine = new InferenceEngine({ wasmUrl: wllamaWasmUrl });
	const started = performance.now();
	const model = await engine.load([file], {
		threads: options.threads,
		contextSize: options.contextSize,
		backend: options.autoBackend ? 'auto' : options.threads > 1 ? 'wasm-multi' : 'wasm-single',
		...(options.tuning ? { tuning: options.tuning } : {})
	});
	const loadMs = performance.now() - started;
	try {
		let result: RunResult | null = null;
		let firstTokenAt = NaN;
		for await (const event of engine.generate([{ role: 'user', content: options.prompt }], {
			sampling: sampling(options.maxTokens)
		})) {
			if (event.type === 'token' && Number.isNaN(firstTokenAt)) firstTokenAt = performance.now();
			if (event.type === 'done')
				result = {
					loadMs,
					ttftMs: event.stats.timeToFirstTokenMs ?? NaN,
					promptTokens: event.stats.promptTokens,
					completionTokens: event.stats.completionTokens,
					prefillTokensPerSecond: event.stats.prefillTokensPerSecond ?? NaN,
					decodeTokensPerSecond: wallDecode(
						event.stats.completionTokens,
						firstTokenAt,
						performance.now()
					),
					llamaDecodeTokensPerSecond: event.stats.decodeTokensPerSecond ?? NaN,
					multiThread: model.threads > 1,
					backend: model.backend
				};
		}
		if (!result) throw new Error('no result');
		return result;
	} finally {
		await engine.unload();
	}
}

interface Chunk {
	choices?: { delta?: { content?: string | null }; text?: string }[];
	timings?: {
		prompt_n?: number;
		prompt_per_second?: number;
		predicted_n?: number;
		predicted_per_second?: number;
	};
}

async function bare(options: RunOptions): Promise<RunResult> {
	const file = await opfsFile(options.model);
	const wllama = new Wllama({ default: wllamaWasmUrl }, { logger: SILENT });
	wllama.setCompat(null);
	const started = performance.now();
	await wllama.loadModel([file], {
		n_threads: options.threads,
		n_ctx: options.contextSize,
		n_gpu_layers: options.gpuLayers ?? 0,
		n_parallel: 1,
		log_level: 3 as LogLevel,
		// The app's defaults as the app fits them to this model (`wllama-load.ts`).
		...wllamaTuningParams(
			options.tuning ?? fitTuningToModel(DEFAULT_TUNING, await readModelHeadDims([file]))
		)
	});
	const loadMs = performance.now() - started;
	try {
		const s = sampling(options.maxTokens);
		const common = {
			stream: true as const,
			temperature: s.temperature,
			top_p: s.topP,
			top_k: s.topK,
			min_p: s.minP,
			penalty_repeat: s.repeatPenalty,
			max_tokens: s.maxTokens,
			cache_prompt: true,
			seed: 1
		};
		const t0 = performance.now();
		const stream: AsyncIterable<Chunk> = wllama.getChatTemplate()
			? await wllama.createChatCompletion({
					...common,
					messages: [{ role: 'user', content: options.prompt }]
				})
			: await wllama.createCompletion({ ...common, prompt: options.prompt });
		let ttftMs = NaN;
		let last: Chunk['timings'];
		let pieces = 0;
		for await (const chunk of stream) {
			const text = chunk.choices?.[0]?.delta?.content ?? chunk.choices?.[0]?.text ?? '';
			if (text) {
				pieces++;
				if (Number.isNaN(ttftMs)) ttftMs = performance.now() - t0;
			}
			if (chunk.timings) last = chunk.timings;
		}
		const endAt = performance.now();
		const completionTokens = last?.predicted_n ?? pieces;
		return {
			loadMs,
			ttftMs,
			promptTokens: last?.prompt_n ?? NaN,
			completionTokens,
			prefillTokensPerSecond: last?.prompt_per_second ?? NaN,
			decodeTokensPerSecond: wallDecode(completionTokens, t0 + ttftMs, endAt),
			llamaDecodeTokensPerSecond: last?.predicted_per_second ?? NaN,
			multiThread: wllama.isMultithread()
		};
	} finally {
		await wllama.exit();
	}
}

/** The WebGPU adapter as the page sees it, and the app's backend plan for a model of `bytes`. */
async function gpu(bytes: number) {
	const probe = await probeEnvironment();
	type Adapter = {
		features: ReadonlySet<string>;
		info?: Record<string, string>;
		limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
	};
	const nav = navigator as Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } };
	const adapter = nav.gpu ? await nav.gpu.requestAdapter() : null;
	const info = adapter?.info;
	return {
		navigatorGpu: Boolean(nav.gpu),
		adapter: adapter
			? {
					vendor: info?.vendor ?? '',
					architecture: info?.architecture ?? '',
					device: info?.device ?? '',
					description: info?.description ?? '',
					features: [...adapter.features].sort(),
					maxBufferSize: adapter.limits.maxBufferSize,
					maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize
				}
			: null,
		shaderF16: adapter?.features.has('shader-f16') ?? false,
		plan: planBackend(probe, bytes)
	};
}

declare global {
	interface Window {
		bench: {
			store: typeof store;
			citrate: typeof citrate;
			bare: typeof bare;
			calibrate: () => ReturnType<typeof calibrateDetailed>;
			gpu: typeof gpu;
			isolated: () => boolean;
			cores: () => number;
		};
	}
}

window.bench = {
	store,
	citrate,
	bare,
	calibrate: () => calibrateDetailed(),
	gpu,
	isolated: () => crossOriginIsolated,
	cores: () => navigator.hardwareConcurrency
};
document.getElementById('state')!.textContent = 'ready';
