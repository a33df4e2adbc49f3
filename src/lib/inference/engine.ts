import type { Wllama } from '@wllama/wllama';
import { AppError } from '../errors';
import { assertGgufMagic } from './gguf-magic';
import { streamReply } from './reply-stream';
import type { ChatTurn, GenerateOptions, GenerationEvent, LoadOptions, LoadedModel } from './types';
import { startWllama, terminate, type EngineDependencies } from './wllama-load';

export {
	DEFAULT_CONTEXT_SIZE,
	DEFAULT_LOAD_TIMEOUT_MS,
	type EngineDependencies
} from './wllama-load';

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
		const { wllama, model } = await startWllama(this.#deps, files, options);
		this.#wllama = wllama;
		this.#crashed = false;
		this.#model = model;
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
		yield* streamReply(wllama, model, turns, options, () => {
			this.#crashed = true;
			terminate(wllama);
		});
	}
}
