import { openCitrateDB } from '../storage/db';
import { CONCURRENCY_SETTING_KEY, DEFAULT_DOWNLOAD_SETTINGS } from './types';

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
