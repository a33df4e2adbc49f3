import { createContext } from 'svelte';
import { AppError, toAppError } from '$lib/errors';
import {
	InferenceEngine,
	chooseContextSize,
	contextSizeChoices,
	readModelContextLength,
	type ChatTurn,
	type GenerateOptions,
	type GenerationEvent,
	type GenerationStats,
	type LoadOptions,
	type LoadedModel
} from '$lib/inference';
import { wllamaWasmUrl } from '$lib/inference/wasm-url';
import { localModelLabel, type ModelRef } from '$lib/chat';
import { listLocalModels, openModelFiles, type LocalModel } from '$lib/storage';
import { openCitrateDB } from '$lib/storage/db';

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

/** A display name for a local model (`owner/repo · variant`, or a friendly IPFS label). */
export function localModelName(model: LocalModel): string {
	return localModelLabel(model);
}

/** Where the context-size choice is kept; the app uses IndexedDB `settings`, tests pass their own. */
export interface EngineSettings {
	readContextSize(): Promise<number | null>;
	writeContextSize(size: number | null): Promise<void>;
}

export const CONTEXT_SIZE_SETTING_KEY = 'chat.contextSize';

export const idbEngineSettings: EngineSettings = {
	async readContextSize() {
		const record = await (await openCitrateDB()).get('settings', CONTEXT_SIZE_SETTING_KEY);
		const value = record?.value;
		return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
	},
	async writeContextSize(size) {
		const db = await openCitrateDB();
		if (size === null) await db.delete('settings', CONTEXT_SIZE_SETTING_KEY);
		else await db.put('settings', { key: CONTEXT_SIZE_SETTING_KEY, value: size });
	}
};

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
	readonly #settings: EngineSettings;
	/** The user's context size (null: min(4096, trained)); applies to every model, capped by it. */
	#contextPreference = $state<number | null>(null);
	#preferenceRead: Promise<void> | null = null;
	/** Trained context length of the model being loaded or loaded (from its GGUF header). */
	#trained = $state<number | null>(null);
	#current: { ref: ModelRef; open: () => Promise<Blob[]> } | null = null;
	#generation = 0;

	/**
	 * `loadOptions.contextSize`, when given, is the context size until the user picks one (tests,
	 * benchmarks); the user's choice is kept in `settings`.
	 */
	constructor(
		engine: InferenceEngine = new InferenceEngine({ wasmUrl: wllamaWasmUrl }),
		source: LocalModelSource = storageModelSource,
		loadOptions: LoadOptions = {},
		settings: EngineSettings = idbEngineSettings
	) {
		this.#engine = engine;
		this.#source = source;
		this.#loadOptions = loadOptions;
		this.#settings = settings;
		this.#contextPreference = loadOptions.contextSize ?? null;
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
	/** The context size the user chose (null: the default, min(4096, trained)). */
	get contextPreference(): number | null {
		return this.#contextPreference;
	}
	/** The model's trained context length, when known. */
	get trainedContextSize(): number | null {
		return this.#model?.trainContextSize || this.#trained;
	}
	/** Context sizes the loaded (or loading) model can be given. */
	get contextChoices(): number[] {
		return contextSizeChoices(this.trainedContextSize);
	}

	/** Reads the stored context-size choice once. */
	#readPreference(): Promise<void> {
		this.#preferenceRead ??= this.#settings.readContextSize().then(
			(stored) => {
				if (stored !== null) this.#contextPreference = stored;
			},
			() => {}
		);
		return this.#preferenceRead;
	}

	/**
	 * Chooses the context size (tokens; null = default), keeps it, and reloads the loaded model
	 * with it. Sizes above a model's trained length are capped to it.
	 */
	async setContextSize(size: number | null): Promise<LoadedModel | null> {
		if (size !== null && !(Number.isInteger(size) && size > 0))
			throw new AppError('ENGINE_FAILED', 'The context size must be a whole number of tokens.');
		await this.#readPreference();
		this.#contextPreference = size;
		await this.#settings.writeContextSize(size);
		const current = this.#current;
		const model = this.#model;
		if (!current || !model || this.#status !== 'ready') return model;
		if (chooseContextSize(size, this.trainedContextSize) === model.contextSize) return model;
		return this.#load(current.ref, current.open);
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
		this.#trained = null;
		this.#current = null;
		try {
			await this.#readPreference();
			const files = await open();
			const trained = await readModelContextLength(files).catch(() => null);
			if (generation === this.#generation) this.#trained = trained;
			const model = await this.#engine.load(files, {
				...this.#loadOptions,
				name: ref.name,
				contextSize: chooseContextSize(this.#contextPreference, trained)
			});
			if (generation !== this.#generation) return null;
			this.#current = { ref, open };
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
		this.#current = null;
		this.#trained = null;
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
