import { openCitrateDB } from './db';

/** The `settings` store as a plain key-value store (values are structured-clone data). */
export const settingsStore = {
	async get(key: string): Promise<unknown> {
		return (await (await openCitrateDB()).get('settings', key))?.value;
	},
	async put(key: string, value: unknown): Promise<void> {
		await (await openCitrateDB()).put('settings', { key, value });
	}
};
