/**
 * The stored calibration (`speed-calibration.ts`): measured once, kept in the `settings` store, and
 * measured again when the browser or the backend changes. The key-value store is passed in (the
 * IndexedDB one in the app, a map in tests).
 */

export const CALIBRATION_SETTING_KEY = 'speed-calibration';
const CALIBRATION_VERSION = 1;

export interface CalibrationIdentity {
	/** The browser and its version (the user agent string). */
	browser: string;
	/** The CPU backend the app would use, e.g. `wasm-multi:8`. */
	backend: string;
}

export interface StoredCalibration extends CalibrationIdentity {
	version: number;
	score: number;
	measuredAt: string;
}

export interface SettingStore {
	get(key: string): Promise<unknown>;
	put(key: string, value: unknown): Promise<void>;
}

/** The backend part of the identity: what the app would run wllama's CPU build on here. */
export function calibrationBackend(env: {
	crossOriginIsolated: boolean;
	hardwareConcurrency: number;
}): string {
	return `${env.crossOriginIsolated ? 'wasm-multi' : 'wasm-single'}:${env.hardwareConcurrency}`;
}

/** The stored calibration when it was made by this browser on this backend, else null. */
export async function readCalibration(
	store: SettingStore | null,
	identity: CalibrationIdentity
): Promise<StoredCalibration | null> {
	try {
		const stored = (await store?.get(CALIBRATION_SETTING_KEY)) as
			Partial<StoredCalibration> | null | undefined;
		if (
			stored?.version === CALIBRATION_VERSION &&
			stored.browser === identity.browser &&
			stored.backend === identity.backend &&
			typeof stored.score === 'number' &&
			stored.score > 0
		)
			return stored as StoredCalibration;
	} catch {
		// unreadable: measure again
	}
	return null;
}

/**
 * The stored calibration for this browser and backend, else a fresh one: stored when it settled
 * (`calibrateDetailed`; a bare number counts as settled), else used for this visit only and measured
 * again on the next.
 */
export async function loadOrCalibrate(
	store: SettingStore | null,
	identity: CalibrationIdentity,
	measure: () => number | { score: number; settled: boolean },
	now: () => Date = () => new Date()
): Promise<StoredCalibration> {
	const stored = await readCalibration(store, identity);
	if (stored) return stored;
	const measured = measure();
	const { score, settled } =
		typeof measured === 'number' ? { score: measured, settled: true } : measured;
	const fresh: StoredCalibration = {
		version: CALIBRATION_VERSION,
		...identity,
		score,
		measuredAt: now().toISOString()
	};
	if (!settled) return fresh;
	try {
		await store?.put(CALIBRATION_SETTING_KEY, fresh);
	} catch {
		// storage full or blocked: the prediction still works for this visit
	}
	return fresh;
}
