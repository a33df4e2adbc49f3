import { openCitrateDB } from '../storage/db';
import type { DownloadJobRecord } from './types';

/** Where the engine keeps its jobs; IndexedDB in the app, anything alike in tests. */
export interface JobStore {
	all(): Promise<DownloadJobRecord[]>;
	put(job: DownloadJobRecord): Promise<void>;
	delete(id: string): Promise<void>;
}

/** Jobs in the IndexedDB `downloads` store. */
export function idbJobStore(dbName?: string): JobStore {
	let opened: ReturnType<typeof openCitrateDB> | undefined;
	const db = () => (opened ??= openCitrateDB(dbName));
	return {
		async all() {
			return (await db()).getAll('downloads');
		},
		async put(job) {
			await (await db()).put('downloads', job);
		},
		async delete(id) {
			await (await db()).delete('downloads', id);
		}
	};
}
