import { AppError } from '../errors';
import { openCitrateDB } from './db';
import { SegmentStore, opfsRoot } from './opfs';
import type { LocalModel } from './types';

/**
 * Local models: records in the IndexedDB `models` store, bytes in OPFS as segment files
 * (`models/<repo>/<revision>/<file>.parts/…`, see `opfs.ts`). A record is written only once
 * every file of the model is complete and verified, so every listed model is usable.
 */

export async function listLocalModels(): Promise<LocalModel[]> {
	const db = await openCitrateDB();
	const models = await db.getAll('models');
	return models.sort((a, b) => b.addedAt - a.addedAt);
}

export async function getLocalModel(modelId: string): Promise<LocalModel | undefined> {
	const db = await openCitrateDB();
	return db.get('models', modelId);
}

function validate(model: LocalModel): void {
	const problems: string[] = [];
	if (!model.id) problems.push('id');
	if (!model.repoId) problems.push('repoId');
	if (!model.revision) problems.push('revision');
	if (model.files.length === 0) problems.push('files');
	for (const file of model.files)
		if (!file.path || !(file.size >= 0) || !/^[0-9a-f]{64}$/.test(file.sha256))
			problems.push(`file ${file.path || '?'}`);
	const total = model.files.reduce((sum, file) => sum + file.size, 0);
	if (total !== model.totalBytes) problems.push('totalBytes');
	if (problems.length > 0)
		throw new AppError(
			'STORAGE_UNAVAILABLE',
			`Invalid local model record (${problems.join(', ')}).`
		);
}

/**
 * Records a model whose files are already stored (see `storeModelFile`). Used by the download
 * engine and by IPFS add-by-CID.
 */
export async function registerLocalModel(model: LocalModel): Promise<void> {
	validate(model);
	const db = await openCitrateDB();
	await db.put('models', structuredClone(model));
}

/**
 * One `File` per shard, in shard order, each made of the OPFS segment files (no copy through JS
 * memory): hand them to `wllama.loadModel`. The names are the files' base names, so wllama can
 * order shards by their `-00001-of-0000N` suffix.
 */
export async function openModelFiles(modelId: string): Promise<File[]> {
	const model = await getLocalModel(modelId);
	if (!model)
		throw new AppError('STORAGE_UNAVAILABLE', 'This model is not on this device any more.', {
			details: { modelId }
		});
	const root = await opfsRoot();
	return Promise.all(
		model.files.map((file) =>
			new SegmentStore(root, model.repoId, model.revision, file.path).open(file.size, file.path)
		)
	);
}

/** Removes a model's record and frees its bytes. */
export async function deleteLocalModel(modelId: string): Promise<void> {
	const db = await openCitrateDB();
	const model = await db.get('models', modelId);
	if (!model) return;
	await db.delete('models', modelId);
	const root = await opfsRoot();
	for (const file of model.files)
		await new SegmentStore(root, model.repoId, model.revision, file.path).remove();
}

/**
 * Stores a file of a model (e.g. one fetched over IPFS) in the same layout as downloads, in
 * segments of `segmentBytes`. Returns the bytes written.
 */
export async function storeModelFile(
	target: { repoId: string; revision: string; path: string },
	data: Blob | ReadableStream<Uint8Array>,
	segmentBytes = 8 * 1024 * 1024
): Promise<number> {
	const store = new SegmentStore(await opfsRoot(), target.repoId, target.revision, target.path);
	await store.truncate(0);
	const reader = (data instanceof Blob ? data.stream() : data).getReader();
	let index = 0;
	let total = 0;
	let writer = await store.openSegment(index);
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			let chunk = value;
			while (chunk.byteLength > 0) {
				const room = segmentBytes - writer.bytes;
				const part = chunk.subarray(0, room);
				await writer.write(new Uint8Array(part));
				total += part.byteLength;
				chunk = chunk.subarray(part.byteLength);
				if (writer.bytes === segmentBytes) {
					await writer.commit();
					writer = await store.openSegment(++index);
				}
			}
		}
		if (writer.bytes > 0 || index === 0) await writer.commit();
		else {
			await writer.abort();
			await store.truncate(index);
		}
	} catch (error) {
		await writer.abort();
		await store.remove();
		throw error;
	}
	return total;
}

export interface StorageStatus {
	usage: number;
	quota: number;
	/** Null where the browser cannot tell (e.g. in a service worker). */
	persisted: boolean | null;
}

export async function storageStatus(): Promise<StorageStatus> {
	const storage = navigator.storage;
	const estimate = storage?.estimate ? await storage.estimate() : {};
	const persisted = typeof storage?.persisted === 'function' ? await storage.persisted() : null;
	return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted };
}

/** Asks the browser not to evict this site's storage (pages only). True when granted. */
export async function requestPersistentStorage(): Promise<boolean> {
	// `persist` exists in pages only (not in workers' StorageManager typing).
	const storage = navigator.storage as StorageManager & { persist?: () => Promise<boolean> };
	if (typeof storage?.persist !== 'function') return false;
	if (typeof storage.persisted === 'function' && (await storage.persisted())) return true;
	return storage.persist();
}
