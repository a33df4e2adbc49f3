import type { LogLevel, Wllama, WllamaLogger } from '@wllama/wllama';
import { AppError } from '../errors';
import { planBackend, probeEnvironment } from './backend';
import { engineError } from './errors';
import { formatFallbackPrompt } from './prompt';
import { DEFAULT_TUNING, wllamaTuningParams } from './tuning';
import type {
	ChatTurn,
	EnvironmentProbe,
	GenerateOptions,
	GenerationEvent,
	GenerationStats,
	LoadOptions,
	LoadedModel
} from './types';

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

/** The chunk fields we read from wllama's streamed chat and raw completions. */
interface StreamChunk {
	choices?: { delta?: { content?: string | null }; text?: string; finish_reason?: string | null }[];
	usage?: {
		prompt_tokens?: number;
		completion_tokens?: number;
		prompt_tokens_details?: { cached_tokens?: number };
	} | null;
	timings?: {
		cache_n?: number;
		prompt_n?: number;
		prompt_per_second?: number;
		predicted_n?: number;
		predicted_per_second?: number;
	};
}

function modelName(files: readonly Blob[]): string {
	const first = files.find((file): file is File => 'name' in file && typeof file.name === 'string');
	if (!first) return 'model.gguf';
	return first.name.replace(/-\d{5}-of-\d{5}(?=\.gguf$)/, '');
}

/** Kills wllama's worker even when it is stuck (a hung load, a crashed wasm). */
function terminate(wllama: Wllama): void {
	const proxy = (wllama as unknown as { proxy?: { worker?: Worker } | null }).proxy;
	proxy?.worker?.terminate();
	(wllama as unknown as { proxy: unknown }).proxy = null;
}

/**
 * One loaded model at a time, in wllama's own worker. Loads straight from Blobs/Files (OPFS files
 * are read by offset as llama.cpp asks, never copied whole into JS memory), picks the backend,
 * streams tokens, stops within one event-loop turn of an abort, and survives a crashed wasm by
 * reloading the same files on the next request.
 */
export class InferenceEngine {
	readonly #deps: EngineDependencies;
	#wllama: Wllama | null = null;
	#model: LoadedModel | null = null;
	#files: Blob[] | null = null;
	#options: LoadOptions = {};
	#crashed = false;
	#queue: Promise<unknown> = Promise.resolve();

	constructor(deps: EngineDependencies) {
		this.#deps = deps;
	}

	get model(): LoadedModel | null {
		return this.#model;
	}

	/** Unloads whatever is loaded, then loads `files` (all shards of one model). */
	async load(files: readonly Blob[], options: LoadOptions = {}): Promise<LoadedModel> {
		await this.unload();
		if (files.length === 0)
			throw new AppError('GGUF_INVALID', 'Choose at least one .gguf file to load.');
		if (files.some((file) => file.size === 0))
			throw new AppError('GGUF_INVALID', 'One of the model files is empty.');
		await assertGgufMagic(files);
		const model = await this.#start([...files], options);
		this.#files = [...files];
		this.#options = options;
		return model;
	}

	async #start(files: Blob[], options: LoadOptions): Promise<LoadedModel> {
		const started = performance.now();
		const sizeBytes = files.reduce((sum, file) => sum + file.size, 0);
		const env = await (this.#deps.probe ?? probeEnvironment)();
		const plan = planBackend(env, sizeBytes, options.backend ?? 'auto', options.threads);
		// wllama (~57 KB gzip) is fetched on first use, not with the page.
		const { Wllama } = await import('@wllama/wllama');
		const native = new NativeLog(this.#deps.logger ?? SILENT);
		const wllama = new Wllama(
			{ default: this.#deps.wasmUrl },
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
					...wllamaTuningParams(options.tuning ?? DEFAULT_TUNING),
					// llama.cpp's warnings and errors only: they explain a failed load.
					log_level: (this.#deps.logger ? 2 : 3) as LogLevel
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
		this.#wllama = wllama;
		this.#crashed = false;
		this.#model = {
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
		return this.#model;
	}

	/** Frees the model and its worker. Safe to call at any time. */
	async unload(): Promise<void> {
		const wllama = this.#wllama;
		this.#wllama = null;
		this.#model = null;
		this.#files = null;
		if (!wllama) return;
		// A clean exit when the worker answers quickly, else a hard stop.
		const exited = await Promise.race([
			wllama.exit().then(
				() => true,
				() => false
			),
			new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000))
		]);
		if (!exited) terminate(wllama);
	}

	/**
	 * Streams the assistant's reply to `turns`. With the model's own chat template when its GGUF has
	 * one, else as a plain-text continuation. Ends with one `done` event (also after an abort: the
	 * stream ends at once and llama.cpp is told to cancel in the background).
	 */
	async *generate(
		turns: readonly ChatTurn[],
		options: GenerateOptions
	): AsyncGenerator<GenerationEvent, void, undefined> {
		// Requests run one after the other: llama.cpp has one slot.
		const previous = this.#queue;
		let release!: () => void;
		this.#queue = new Promise<void>((resolve) => (release = resolve));
		try {
			await previous;
			yield* this.#generate(turns, options);
		} finally {
			release();
		}
	}

	async *#generate(
		turns: readonly ChatTurn[],
		options: GenerateOptions
	): AsyncGenerator<GenerationEvent, void, undefined> {
		if (this.#crashed && this.#files) await this.#start(this.#files, this.#options);
		const wllama = this.#wllama;
		const model = this.#model;
		if (!wllama || !model)
			throw new AppError('ENGINE_NOT_LOADED', 'Load a model before sending a message.');
		const { sampling, signal } = options;
		const started = performance.now();
		const stats: GenerationStats = {
			promptTokens: 0,
			completionTokens: 0,
			cachedTokens: 0,
			prefillTokensPerSecond: null,
			decodeTokensPerSecond: null,
			timeToFirstTokenMs: null,
			totalMs: 0,
			finishReason: 'stop'
		};
		if (signal?.aborted) {
			stats.finishReason = 'aborted';
			yield { type: 'done', stats };
			return;
		}
		const controller = new AbortController();
		let abortedResolve!: () => void;
		const aborted = new Promise<'aborted'>((resolve) => {
			abortedResolve = () => resolve('aborted');
		});
		const onAbort = () => {
			controller.abort();
			abortedResolve();
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		const common = {
			stream: true as const,
			abortSignal: controller.signal,
			temperature: sampling.temperature,
			top_p: sampling.topP,
			top_k: sampling.topK,
			min_p: sampling.minP,
			penalty_repeat: sampling.repeatPenalty,
			max_tokens: sampling.maxTokens,
			cache_prompt: true,
			...(sampling.seed === null ? {} : { seed: sampling.seed })
		};
		let iterator: AsyncIterator<StreamChunk> | undefined;
		try {
			const request: Promise<AsyncIterable<StreamChunk>> = model.chatTemplate
				? wllama.createChatCompletion({ ...common, messages: turns.map((t) => ({ ...t })) })
				: wllama.createCompletion({ ...common, prompt: formatFallbackPrompt(turns) });
			const first = await Promise.race([request, aborted]);
			if (first === 'aborted') {
				request.catch(() => {});
				stats.finishReason = 'aborted';
			} else {
				iterator = first[Symbol.asyncIterator]();
				let decodeStart = 0;
				for (;;) {
					const next = iterator.next();
					const result = await Promise.race([next, aborted]);
					if (result === 'aborted') {
						// wllama cancels on its side; drain what it still delivers so nothing rejects unseen.
						drain(iterator, next);
						stats.finishReason = 'aborted';
						break;
					}
					if (result.done) break;
					const chunk = result.value;
					const choice = chunk.choices?.[0];
					const text = choice?.delta?.content ?? choice?.text ?? '';
					if (text) {
						if (stats.timeToFirstTokenMs === null) {
							stats.timeToFirstTokenMs = performance.now() - started;
							decodeStart = performance.now();
						}
						stats.completionTokens++;
						yield { type: 'token', text };
					}
					if (choice?.finish_reason === 'length') stats.finishReason = 'length';
					readUsage(chunk, stats);
				}
				if (stats.decodeTokensPerSecond === null && stats.completionTokens > 1) {
					const seconds = (performance.now() - decodeStart) / 1000;
					stats.decodeTokensPerSecond = (stats.completionTokens - 1) / seconds;
				}
			}
		} catch (error) {
			if (controller.signal.aborted) {
				stats.finishReason = 'aborted';
			} else {
				const appError = engineError(error, 'generate');
				if (isFatal(error)) {
					// The wasm is dead: drop it; the next request reloads the same files.
					this.#crashed = true;
					terminate(wllama);
				}
				throw appError;
			}
		} finally {
			signal?.removeEventListener('abort', onAbort);
		}
		stats.totalMs = performance.now() - started;
		yield { type: 'done', stats };
	}
}

function drain(iterator: AsyncIterator<unknown>, pending: Promise<IteratorResult<unknown>>): void {
	void (async () => {
		try {
			let result = await pending;
			while (!result.done) result = await iterator.next();
		} catch {
			// The cancellation itself: expected.
		}
	})();
}

function readUsage(chunk: StreamChunk, stats: GenerationStats): void {
	if (chunk.usage) {
		stats.promptTokens = chunk.usage.prompt_tokens ?? stats.promptTokens;
		if (chunk.usage.completion_tokens) stats.completionTokens = chunk.usage.completion_tokens;
		stats.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? stats.cachedTokens;
	}
	const timings = chunk.timings;
	if (timings) {
		if (timings.prompt_n !== undefined && timings.cache_n !== undefined)
			stats.promptTokens = timings.prompt_n + timings.cache_n;
		if (timings.cache_n !== undefined) stats.cachedTokens = timings.cache_n;
		if (timings.prompt_per_second && Number.isFinite(timings.prompt_per_second))
			stats.prefillTokensPerSecond = timings.prompt_per_second;
		if (timings.predicted_per_second && Number.isFinite(timings.predicted_per_second))
			stats.decodeTokensPerSecond = timings.predicted_per_second;
		if (timings.predicted_n) stats.completionTokens = timings.predicted_n;
	}
}

/** Errors after which wllama's worker cannot be used again. */
function isFatal(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	return (
		error.name === 'WllamaRuntimeError' ||
		error instanceof RangeError ||
		/crashed|abort\(|unreachable|RuntimeError/i.test(error.message)
	);
}

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

/** Rejects files that are not GGUF before handing them to llama.cpp (which may abort on them). */
async function assertGgufMagic(files: readonly Blob[]): Promise<void> {
	for (const file of files) {
		const head = new DataView(await file.slice(0, 8).arrayBuffer());
		const name = 'name' in file ? String((file as File).name) : 'The file';
		if (head.byteLength < 8 || head.getUint32(0, true) !== GGUF_MAGIC)
			throw new AppError('GGUF_INVALID', `${name} is not a GGUF file (its first bytes are wrong).`);
		const version = head.getUint32(4, true);
		if (version < 2 || version > 3)
			throw new AppError(
				'GGUF_INVALID',
				`${name} uses GGUF version ${version}, which is not supported.`
			);
	}
}
