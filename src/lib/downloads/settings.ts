import { openCitrateDB } from '../storage/db';
import {
	BACKGROUND_FROM_START_SETTING_KEY,
	CONCURRENCY_SETTING_KEY,
	DEFAULT_DOWNLOAD_SETTINGS
} from './types';

/** The user's "parallel downloads" setting (IndexedDB `settings`), read by the service worker. */
export async function loadConcurrency(): Promise<number> {
	const saved = await (await openCitrateDB()).get('settings', CONCURRENCY_SETTING_KEY);
	const value = saved?.value;
	return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 16
		? value
		: DEFAULT_DOWNLOAD_SETTINGS.concurrency;
}

export async function saveConcurrency(value: number): Promise<void> {
	await (await openCitrateDB()).put('settings', { key: CONCURRENCY_SETTING_KEY, value });
}

/** Whether the page hands each new download to Background Fetch at once (off unless chosen). */
export async function loadBackgroundFromStart(): Promise<boolean> {
	const saved = await (await openCitrateDB()).get('settings', BACKGROUND_FROM_START_SETTING_KEY);
	return saved?.value === true;
}

export async function saveBackgroundFromStart(value: boolean): Promise<void> {
	await (await openCitrateDB()).put('settings', { key: BACKGROUND_FROM_START_SETTING_KEY, value });
}
