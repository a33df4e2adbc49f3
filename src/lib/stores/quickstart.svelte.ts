import { createContext } from 'svelte';
import { modelIdFor } from '$lib/downloads/types';
import { AppError, toAppError } from '$lib/errors';
import type { RatedModel } from '$lib/recommend/pick';
import type { DownloadsStore } from './downloads.svelte';
import type { EngineStore } from './engine.svelte';
import type { Recommendation, SearchStore } from './search.svelte';

export type QuickStartPhase = 'idle' | 'downloading' | 'loading' | 'done' | 'error';

type Pick = <T extends RatedModel>(models: readonly T[]) => T | null;

/**
 * First run: offers the recommended model that suits this device best (`pickQuickStart`) and, in
 * one action, downloads it, loads it and leaves the chat ready. Progress comes from the downloads
 * store (the service worker's job); failures keep what was downloaded and can be retried.
 */
export class QuickStartStore {
	readonly #search: SearchStore;
	readonly #downloads: DownloadsStore;
	readonly #engine: EngineStore;
	#pick = $state<Pick | null>(null);
	#phase = $state<QuickStartPhase>('idle');
	#error = $state<AppError | null>(null);
	/** The model being set up (kept while it runs, even if the recommendations change). */
	#chosen = $state<Recommendation | null>(null);
	#prepared: Promise<void> | null = null;

	constructor(search: SearchStore, downloads: DownloadsStore, engine: EngineStore) {
		this.#search = search;
		this.#downloads = downloads;
		this.#engine = engine;
	}

	/** Loads the recommendations and the chooser (once); the chat's empty state calls it. */
	prepare(): Promise<void> {
		this.#prepared ??= Promise.all([
			import('$lib/recommend/pick').then(({ pickQuickStart }) => {
				this.#pick = pickQuickStart;
			}),
			this.#search.loadRecommended()
		]).then(
			() => {},
			() => {
				this.#prepared = null;
			}
		);
		return this.#prepared;
	}

	/** The model offered: the one being set up, else the best fit among the recommendations. */
	get candidate(): Recommendation | null {
		if (this.#chosen) return this.#chosen;
		if (!this.#pick) return null;
		return this.#pick(this.#search.recommended);
	}
	/** Still working out which model suits this device. */
	get choosing(): boolean {
		return this.#pick === null || !this.#search.recommendedSettled;
	}
	get phase(): QuickStartPhase {
		return this.#phase;
	}
	get error(): AppError | null {
		return this.#error;
	}
	/** The local model id the candidate's download produces. */
	get modelId(): string | null {
		const chosen = this.candidate;
		if (!chosen?.variant || !chosen.revision) return null;
		return modelIdFor(chosen.id, chosen.revision, chosen.variant.key);
	}
	/** Whether the first-run offer applies: nothing stored on this device, no model loaded. */
	get offered(): boolean {
		if (this.#phase !== 'idle' && this.#phase !== 'done') return true;
		return (
			this.#phase === 'idle' &&
			this.#downloads.loaded &&
			this.#downloads.models.length === 0 &&
			this.#engine.model === null
		);
	}

	/** Download (or resume), load, and leave the chat ready. Errors stay in `error`. */
	async start(): Promise<void> {
		const chosen = this.candidate;
		if (!chosen?.variant || !chosen.revision || this.#phase === 'downloading') return;
		if (this.#phase === 'loading') return;
		this.#chosen = chosen;
		this.#error = null;
		const id = modelIdFor(chosen.id, chosen.revision, chosen.variant.key);
		try {
			if (!this.#downloads.model(id)) {
				this.#phase = 'downloading';
				const job = this.#downloads.job(id);
				if (job?.state === 'failed') await this.#downloads.retry(id);
				else if (job?.state === 'paused') await this.#downloads.resume(id);
				else
					await this.#downloads.download(
						{
							repoId: chosen.id,
							revision: chosen.revision,
							variant: {
								key: chosen.variant.key,
								label: chosen.variant.label,
								files: chosen.variant.files.map(({ path, size, sha256 }) => ({
									path,
									size,
									sha256
								}))
							}
						},
						id
					);
				await this.#downloaded(id);
			}
			this.#phase = 'loading';
			await this.#engine.refreshLocalModels();
			const loaded = await this.#engine.loadLocal(id);
			if (!loaded)
				throw (
					this.#engine.error ??
					new AppError('ENGINE_FAILED', 'The model could not be loaded. Try again.')
				);
			this.#phase = 'done';
		} catch (error) {
			this.#error = toAppError(error);
			this.#phase = 'error';
		}
	}

	/** Resolves once the model is stored and verified; rejects when its download fails or stops. */
	#downloaded(id: string): Promise<void> {
		return new Promise((resolve, reject) => {
			let settled = false;
			const stop = $effect.root(() => {
				$effect(() => {
					if (settled) return;
					const job = this.#downloads.job(id);
					const stored = this.#downloads.model(id);
					let outcome: (() => void) | null = null;
					if (stored && (!job || job.state === 'done')) outcome = resolve;
					else if (job?.state === 'failed' || job?.state === 'cancelled') {
						const error = this.#downloads.error(id);
						outcome = () =>
							reject(
								error
									? AppError.fromJSON(error)
									: new AppError('DOWNLOAD_NETWORK', 'The download stopped. Try again.')
							);
					}
					if (outcome) {
						settled = true;
						queueMicrotask(() => stop());
						outcome();
					}
				});
			});
		});
	}
}

/** `getQuickStart()` in components; the root layout calls `setQuickStart(new QuickStartStore(…))`. */
export const [getQuickStart, setQuickStart] = createContext<QuickStartStore>();
