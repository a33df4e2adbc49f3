import {
	calibrate,
	chooseThreads,
	loadOrCalibrate,
	predictDecodeSpeed,
	probeEnvironment,
	type EnvironmentProbe,
	type SpeedPrediction,
	type StoredCalibration
} from '$lib/inference';

/**
 * This device's speed: the stored calibration (or a fresh ~0.3 s one, after the page has settled)
 * and, from it, the predicted reply speed of any model by its size and weight type.
 */
export class SpeedStore {
	#env = $state<EnvironmentProbe | null>(null);
	#calibration = $state<StoredCalibration | null>(null);
	#started = false;

	get calibration() {
		return this.#calibration;
	}

	/** Probes and calibrates once (calibration waits for an idle moment: it holds the main thread). */
	start(): void {
		if (this.#started || typeof window === 'undefined') return;
		this.#started = true;
		void probeEnvironment().then((env) => {
			this.#env = env;
			const backend = `${env.crossOriginIsolated ? 'wasm-multi' : 'wasm-single'}:${env.hardwareConcurrency}`;
			const run = () => {
				let storage: Storage | null = null;
				try {
					storage = window.localStorage;
				} catch {
					storage = null;
				}
				this.#calibration = loadOrCalibrate(
					storage,
					{ browser: navigator.userAgent, backend },
					() => calibrate()
				);
			};
			if ('requestIdleCallback' in window) window.requestIdleCallback(run, { timeout: 2000 });
			else setTimeout(run, 200);
		});
	}

	/** The predicted decode speed of a model of `sizeBytes` in `quant`; null until calibrated. */
	predict(sizeBytes: number, quant: string | null): SpeedPrediction | null {
		const env = this.#env;
		const calibration = this.#calibration;
		if (!env || !calibration) return null;
		return predictDecodeSpeed({
			sizeBytes,
			quant,
			threads: chooseThreads(env, sizeBytes),
			score: calibration.score
		});
	}
}
