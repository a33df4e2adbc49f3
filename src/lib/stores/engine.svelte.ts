import { createContext } from 'svelte';
import { AppError, toAppError } from '$lib/errors';
import {
	InferenceEngine,
	type ChatTurn,
	type GenerateOptions,
	type GenerationEvent,
	type GenerationStats,
	type LoadOptions,
	type LoadedModel
} from '$lib/inference';
import { wllamaWasmUrl } from '$lib/inference/wasm-url';
import type { ModelRef } from '$lib/chat';
import { listLocalModels, openModelFiles, type LocalModel } from '$lib/storage';

export type EngineStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Where local (downloaded) models come from; tests pass their own. */
export interface LocalModelSource {
	list(): Promise<LocalModel[]>;
	open(id: string): Promise<Blob[]>;
}

export const storageModelSource: LocalModelSource = {
	list: () => listLocalModels(),
	open: (id) => openModelFiles(id)
};

/** A short display name for a local model. */
export function localModelName(model: LocalModel): string {
	const repo = model.repoId.split('/').pop() ?? model.repoId;
	return model.variant ? `${repo} · ${model.variant}` : repo;
}

/** The loaded model and the engine's state, for the chat UI. */
export class EngineStore {
	readonly #engine: InferenceEngine;
	readonly #source: LocalModelSource;
	#status = $state<EngineStatus>('idle');
	#model = $state<LoadedModel | null>(null);
	#ref = $state<ModelRef | null>(null);
	#error = $state<AppError | null>(null);
	#lastStats = $state<GenerationStats | null>(null);
	#localModels = $state<LocalModel[]>([]);
	#loadOptions: LoadOptions;
	#generation = 0;

	constructor(
		engine: InferenceEngine = new InferenceEngine({ wasmUrl: wllamaWasmUrl }),
		source: LocalModelSource = storageModelSource,
		loadOptions: LoadOptions = {}
	) {
		this.#engine = engine;
		this.#source = source;
		this.#loadOptions = loadOptions;
	}

	get status(): EngineStatus {
		return this.#status;
	}
	get model(): LoadedModel | null {
		return this.#model;
	}
	get ref(): ModelRef | null {
		return this.#ref;
	}
	get error(): AppError | null {
		return this.#error;
	}
	get lastStats(): GenerationStats | null {
		return this.#lastStats;
	}
	get localModels(): readonly LocalModel[] {
		return this.#localModels;
	}

	async refreshLocalModels(): Promise<void> {
		try {
			this.#localModels = await this.#source.list();
		} catch {
			this.#localModels = [];
		}
	}

	/** Loads model files picked from disk (all shards of one model). */
	loadFiles(files: readonly File[]): Promise<LoadedModel | null> {
		const main = [...files].sort((a, b) => a.name.localeCompare(b.name))[0];
		const ref: ModelRef = {
			source: 'disk',
			name: main ? main.name.replace(/-\d{5}-of-\d{5}(?=\.gguf$)/, '') : 'model.gguf',
			sizeBytes: files.reduce((sum, file) => sum + file.size, 0)
		};
		return this.#load(ref, async () => [...files]);
	}

	/** Loads a downloaded model from OPFS. */
	loadLocal(id: string): Promise<LoadedModel | null> {
		const local = this.#localModels.find((model) => model.id === id);
		const ref: ModelRef = { source: 'local', id, name: local ? localModelName(local) : id };
		return this.#load(ref, () => this.#source.open(id));
	}

	/** Whether `ref` is what is loaded now. */
	isLoaded(ref: ModelRef | null): boolean {
		const current = this.#ref;
		if (!ref || !current || this.#status !== 'ready') return false;
		if (ref.source === 'local' && current.source === 'local') return ref.id === current.id;
		if (ref.source === 'disk' && current.source === 'disk')
			return ref.name === current.name && ref.sizeBytes === current.sizeBytes;
		return false;
	}

	async #load(ref: ModelRef, open: () => Promise<Blob[]>): Promise<LoadedModel | null> {
		const generation = ++this.#generation;
		this.#status = 'loading';
		this.#error = null;
		this.#ref = ref;
		this.#model = null;
		try {
			const files = await open();
			const model = await this.#engine.load(files, { ...this.#loadOptions, name: ref.name });
			if (generation !== this.#generation) return null;
			this.#model = model;
			this.#status = 'ready';
			return model;
		} catch (error) {
			if (generation !== this.#generation) return null;
			this.#error = toAppError(error, 'ENGINE_FAILED');
			this.#status = 'error';
			this.#ref = null;
			return null;
		}
	}

	async unload(): Promise<void> {
		this.#generation++;
		await this.#engine.unload();
		this.#model = null;
		this.#ref = null;
		this.#status = 'idle';
		this.#error = null;
	}

	dismissError(): void {
		this.#error = null;
		if (this.#status === 'error') this.#status = this.#model ? 'ready' : 'idle';
	}

	/** Streams a reply; records its speed for the status bar. */
	async *generate(
		turns: readonly ChatTurn[],
		options: GenerateOptions
	): AsyncGenerator<GenerationEvent, void, undefined> {
		if (this.#status !== 'ready')
			throw new AppError('ENGINE_NOT_LOADED', 'Load a model before sending a message.');
		for await (const event of this.#engine.generate(turns, options)) {
			if (event.type === 'done') this.#lastStats = event.stats;
			yield event;
		}
	}
}

export const [getEngine, setEngine] = createContext<EngineStore>();
