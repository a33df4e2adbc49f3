import type { LogLevel, Wllama, WllamaLogger } from '@wllama/wllama';
import { AppError } from '../errors';
import { planBackend, probeEnvironment } from './backend';
import { engineError } from './errors';
import { readModelHeadDims } from './gguf-header';
import { defaultTuningFor, fitTuningToModel, wllamaTuningParams } from './tuning';
import type { EnvironmentProbe, LoadOptions, LoadedModel } from './types';

/**
 * Starting wllama on a model: the backend plan, the load with its timeout and cancellation, the
 * check that llama.cpp really loaded it, and what the app shows of it. Also the hard stop of
 * wllama's worker.
 */

export const DEFAULT_CONTEXT_SIZE = 2048;
export const DEFAULT_LOAD_TIMEOUT_MS = 120_000;

export interface EngineDependencies {
	/** URL of wllama.wasm (self-hosted). */
	wasmUrl: string;
	probe?: () => Promise<EnvironmentProbe>;
	/** wllama's own logs (native llama.cpp lines included); silent by default. */
	logger?: WllamaLogger;
}

const SILENT: WllamaLogger = {
	debug: () => {},
	log: () => {},
	warn: () => {},
	error: () => {}
};

/** Forwards wllama's logs and keeps llama.cpp's last warnings/errors to explain a failure. */
class NativeLog implements WllamaLogger {
	readonly #lines: string[] = [];
	readonly #next: WllamaLogger;
	constructor(next: WllamaLogger) {
		this.#next = next;
	}
	#keep(args: unknown[]): void {
		this.#lines.push(args.map(String).join(' '));
		if (this.#lines.length > 20) this.#lines.shift();
	}
	debug = (...args: unknown[]) => this.#next.debug(...args);
	log = (...args: unknown[]) => this.#next.log(...args);
	warn = (...args: unknown[]) => {
		this.#keep(args);
		this.#next.warn(...args);
	};
	error = (...args: unknown[]) => {
		this.#keep(args);
		this.#next.error(...args);
	};
	errors(): string {
		return this.#lines.join('\n');
	}
}

function modelName(files: readonly Blob[]): string {
	const first = files.find((file): file is File => 'name' in file && typeof file.name === 'string');
	if (!first) return 'model.gguf';
	return first.name.replace(/-\d{5}-of-\d{5}(?=\.gguf$)/, '');
}

/** Kills wllama's worker even when it is stuck (a hung load, a crashed wasm). */
export function terminate(wllama: Wllama): void {
	const proxy = (wllama as unknown as { proxy?: { worker?: Worker } | null }).proxy;
	proxy?.worker?.terminate();
	(wllama as unknown as { proxy: unknown }).proxy = null;
}

/** A fresh wllama with `files` (all shards of one model) loaded, and what the app shows of it. */
export async function startWllama(
	deps: EngineDependencies,
	files: Blob[],
	options: LoadOptions
): Promise<{ wllama: Wllama; model: LoadedModel }> {
	const started = performance.now();
	const sizeBytes = files.reduce((sum, file) => sum + file.size, 0);
	const env = await (deps.probe ?? probeEnvironment)();
	const plan = planBackend(env, sizeBytes, options.backend ?? 'auto', options.threads);
	const tuning =
		options.tuning ??
		fitTuningToModel(
			defaultTuningFor(plan.backend),
			await readModelHeadDims(files).catch(() => null)
		);
	// wllama (~57 KB gzip) is fetched on first use, not with the page.
	const { Wllama } = await import('@wllama/wllama');
	const native = new NativeLog(deps.logger ?? SILENT);
	const wllama = new Wllama(
		{ default: deps.wasmUrl },
		{ logger: native, suppressNativeLog: false, allowOffline: true }
	);
	// Never fetch the compat build from a public CDN: browsers without JSPI/Memory64 get the
	// regular build (and a clear error if it cannot run) rather than a request we do not allow.
	wllama.setCompat(null);
	const timeoutMs = options.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let onAbort: (() => void) | undefined;
	try {
		const stop = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() =>
					reject(
						new AppError(
							'ENGINE_LOAD_TIMEOUT',
							`The model did not finish loading within ${Math.round(timeoutMs / 1000)} s. The page may block WebAssembly or workers (Content-Security-Policy), or the device is too slow for this model.`
						)
					),
				timeoutMs
			);
			onAbort = () => reject(new AppError('ABORTED', 'Loading was cancelled.'));
			if (options.signal?.aborted) onAbort();
			options.signal?.addEventListener('abort', onAbort, { once: true });
		});
		await Promise.race([
			wllama.loadModel(files, {
				n_ctx: options.contextSize ?? DEFAULT_CONTEXT_SIZE,
				n_threads: plan.threads,
				n_gpu_layers: plan.gpuLayers,
				// One conversation at a time: a single slot keeps the whole context for it.
				n_parallel: 1,
				...wllamaTuningParams(tuning),
				// llama.cpp's warnings and errors only: they explain a failed load.
				log_level: (deps.logger ? 2 : 3) as LogLevel
			}),
			stop
		]);
	} catch (error) {
		terminate(wllama);
		throw engineError(error, 'load');
	} finally {
		clearTimeout(timer);
		if (onAbort) options.signal?.removeEventListener('abort', onAbort);
	}
	const info = wllama.getLoadedContextInfo() as ReturnType<Wllama['getLoadedContextInfo']> & {
		success?: boolean;
	};
	// wllama does not check llama.cpp's answer: a file it could not load comes back "loaded"
	// with an empty context.
	if (info.success === false || info.n_vocab <= 0) {
		terminate(wllama);
		throw engineError(new Error(native.errors() || 'failed to load model'), 'load');
	}
	const template = wllama.getChatTemplate();
	const model: LoadedModel = {
		name: options.name ?? modelName(files),
		files: files.length,
		sizeBytes,
		backend: plan.backend,
		threads: wllama.isMultithread() ? wllama.getNumThreads() : 1,
		backendReason: plan.reason,
		contextSize: info.n_ctx,
		trainContextSize: info.n_ctx_train,
		nLayer: info.n_layer,
		nEmbd: info.n_embd,
		nVocab: info.n_vocab,
		chatTemplate: template && template.trim().length > 0 ? template : null,
		architecture: info.metadata['general.architecture'] ?? null,
		loadMs: performance.now() - started
	};
	return { wllama, model };
}
