import { chooseThreads } from '$lib/inference/backend';
import { calibrateDetailed } from '$lib/inference/speed-calibration';
import {
	calibrationBackend,
	loadOrCalibrate,
	readCalibration,
	type StoredCalibration
} from '$lib/inference/speed-calibration-store';
import {
	floatSpeedNote,
	predictDecodeSpeed,
	type SpeedInput,
	type SpeedPrediction
} from '$lib/inference/speed-prediction';
import { settingsStore } from '$lib/storage/settings';

type CpuEnv = { crossOriginIsolated: boolean; hardwareConcurrency: number };

/** What the prediction needs to know of this device's CPU (synchronous: no GPU probe). */
export function cpuEnv(cores?: number): CpuEnv {
	return {
		crossOriginIsolated: globalThis.crossOriginIsolated === true,
		hardwareConcurrency: cores ?? (globalThis.navigator?.hardwareConcurrency || 1)
	};
}

function identity(env: CpuEnv) {
	return { browser: globalThis.navigator?.userAgent ?? '', backend: calibrationBackend(env) };
}

/** This device's stored calibration score, if one was made by this browser on this backend. */
export async function storedCalibrationScore(env: CpuEnv = cpuEnv()): Promise<number | null> {
	if (typeof indexedDB === 'undefined') return null;
	return (await readCalibration(settingsStore, identity(env)))?.score ?? null;
}

function inputHere(
	env: CpuEnv,
	score: number | null,
	sizeBytes: number,
	quant: string | null,
	lookupOnlyShare: number | null = null
): SpeedInput {
	return {
		sizeBytes,
		quant,
		threads: chooseThreads({ ...env, gpu: null }, sizeBytes),
		score,
		lookupOnlyShare
	};
}

/** The predicted decode speed of `sizeBytes` of `quant` weights here (`score` null: the table). */
export function predictHere(
	env: CpuEnv,
	score: number | null,
	sizeBytes: number,
	quant: string | null,
	lookupOnlyShare: number | null = null
): SpeedPrediction | null {
	return predictDecodeSpeed(inputHere(env, score, sizeBytes, quant, lookupOnlyShare));
}

const MAX_CALIBRATION_ATTEMPTS = 4;
const RETRY_AFTER_MS = 3000;

/**
 * This device's speed: the stored calibration (or a fresh ~0.3 s one, after the page has settled,
 * stored in IndexedDB) and, from it, the predicted reply speed of any model by its size and weight
 * type. Until the calibration is known, predictions use the measured table as it is.
 */
export class SpeedStore {
	readonly #env = cpuEnv();
	#calibration = $state<StoredCalibration | null>(null);
	#started = false;

	get calibration() {
		return this.#calibration;
	}

	/** Reads or makes the calibration once (measuring waits for an idle moment: it holds the main thread). */
	start(): void {
		if (this.#started || typeof window === 'undefined') return;
		this.#started = true;
		const id = identity(this.#env);
		void readCalibration(settingsStore, id).then((stored) => {
			if (stored) {
				this.#calibration = stored;
				return;
			}
			// A calibration taken before V8 optimized its loop is not stored (`calibrateDetailed`):
			// try again a little later, a few times, while the page shows the figure it got.
			let attempts = 0;
			const run = () => {
				attempts++;
				let settled = true; // a stored figure: nothing to retry
				void loadOrCalibrate(settingsStore, id, () => {
					const measured = calibrateDetailed();
					settled = measured.settled;
					return measured;
				}).then((fresh) => {
					const kept = this.#calibration;
					// An unsettled figure never replaces a higher one from an earlier try.
					this.#calibration = !settled && kept && kept.score > fresh.score ? kept : fresh;
					if (!settled && attempts < MAX_CALIBRATION_ATTEMPTS) schedule(RETRY_AFTER_MS);
				});
			};
			const schedule = (delayMs: number) =>
				setTimeout(() => {
					if ('requestIdleCallback' in window) window.requestIdleCallback(run, { timeout: 2000 });
					else run();
				}, delayMs);
			schedule(0);
		});
	}

	/**
	 * The predicted decode speed of a model of `sizeBytes` in `quant`; `lookupOnlyShare` from the
	 * repo's GGUF header when it has been read (the variants share one architecture).
	 */
	predict(
		sizeBytes: number,
		quant: string | null,
		lookupOnlyShare: number | null = null
	): SpeedPrediction | null {
		return predictDecodeSpeed(
			inputHere(this.#env, this.#calibration?.score ?? null, sizeBytes, quant, lookupOnlyShare)
		);
	}

	/** The F16/F32 warning for a variant of `sizeBytes` in `quant` (`floatSpeedNote`), or null. */
	floatNote(
		sizeBytes: number,
		quant: string | null,
		lookupOnlyShare: number | null = null
	): string | null {
		return floatSpeedNote(
			inputHere(this.#env, this.#calibration?.score ?? null, sizeBytes, quant, lookupOnlyShare)
		);
	}
}
