import { AppError, toAppError } from '../errors';

/**
 * Model bytes in the origin private file system (OPFS).
 *
 * Each file of a model is stored as fixed-size segment files under
 * `models/<repo>/<revision>/<file>.parts/00000`, `00001`, … Every segment is written once with
 * `createWritable()` and closed (the browser commits it atomically on close), so a resumed
 * download appends new segments and never reopens, copies or re-reads what was committed.
 * Loading joins the segments as one `File` (a Blob made of OPFS `File`s: no copy).
 */

export const MODELS_DIR = 'models';
export const PARTS_SUFFIX = '.parts';
const SEGMENT_NAME_WIDTH = 5;

export function segmentName(index: number): string {
	return String(index).padStart(SEGMENT_NAME_WIDTH, '0');
}

/** Path segments (directories) of a model file's parts folder, relative to the OPFS root. */
export function partsPath(repoId: string, revision: string, filePath: string): string[] {
	const clean = (value: string, what: string): string[] => {
		const parts = value.split('/').filter((part) => part.length > 0);
		if (parts.length === 0 || parts.some((part) => part === '.' || part === '..'))
			throw new AppError('STORAGE_UNAVAILABLE', `Invalid ${what}: ${value}`);
		return parts;
	};
	const fileParts = clean(filePath, 'file path');
	const last = fileParts.pop() as string;
	return [
		MODELS_DIR,
		...clean(repoId, 'repository id'),
		...clean(revision, 'revision'),
		...fileParts,
		last + PARTS_SUFFIX
	];
}

export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
	if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory)
		throw new AppError(
			'STORAGE_UNAVAILABLE',
			'This browser has no private file system for model files (OPFS).'
		);
	try {
		return await navigator.storage.getDirectory();
	} catch (cause) {
		throw new AppError('STORAGE_UNAVAILABLE', 'The browser refused access to its file storage.', {
			cause
		});
	}
}

async function walk(
	root: FileSystemDirectoryHandle,
	path: string[],
	create: boolean
): Promise<FileSystemDirectoryHandle | null> {
	let dir = root;
	for (const name of path) {
		try {
			dir = await dir.getDirectoryHandle(name, { create });
		} catch (error) {
			if (!create && error instanceof DOMException && error.name === 'NotFoundError') return null;
			throw error;
		}
	}
	return dir;
}

/** Directory iteration (typed in DOM.AsyncIterable, which the service worker's lib lacks). */
interface IterableDirectory {
	entries(): AsyncIterableIterator<[string, FileSystemHandle]>;
	keys(): AsyncIterableIterator<string>;
}

function iterable(dir: FileSystemDirectoryHandle): IterableDirectory {
	return dir as unknown as IterableDirectory;
}

async function segmentEntries(
	dir: FileSystemDirectoryHandle
): Promise<[number, FileSystemFileHandle][]> {
	const entries: [number, FileSystemFileHandle][] = [];
	for await (const [name, handle] of iterable(dir).entries()) {
		if (handle.kind !== 'file' || !/^\d+$/.test(name)) continue;
		entries.push([Number(name), handle as FileSystemFileHandle]);
	}
	return entries.sort((a, b) => a[0] - b[0]);
}

/** The segment files of one model file. */
export class SegmentStore {
	readonly #root: FileSystemDirectoryHandle;
	readonly #path: string[];
	/** The parts folder once created (opening a segment then costs no walk down the tree). */
	#created: FileSystemDirectoryHandle | null = null;

	constructor(root: FileSystemDirectoryHandle, repoId: string, revision: string, filePath: string) {
		this.#root = root;
		this.#path = partsPath(repoId, revision, filePath);
	}

	get path(): string {
		return this.#path.join('/');
	}

	async #dir(create: boolean): Promise<FileSystemDirectoryHandle | null> {
		if (create) return (this.#created ??= (await walk(this.#root, this.#path, true))!);
		return walk(this.#root, this.#path, create);
	}

	/**
	 * Opens segment `index` for writing. Nothing is visible until `commit()`; `abort()` (or a
	 * crash) leaves no trace of it.
	 */
	async openSegment(index: number): Promise<SegmentWriter> {
		const handle = await this.#fileHandle(index);
		return new SegmentWriter(await handle.createWritable({ keepExistingData: false }));
	}

	/**
	 * Opens segment `index` for synchronous writes straight into the file (a dedicated worker's
	 * `FileSystemSyncAccessHandle`: no copy through the browser process per write). Unlike
	 * `openSegment`, the bytes are in the file as they are written: a segment cut short by a crash
	 * is shorter than a full one, which a resume drops. Elsewhere it is `openSegment`.
	 */
	async openSegmentDirect(index: number): Promise<SegmentSink> {
		if (!directWritesHere()) return this.openSegment(index);
		const handle = (await this.#fileHandle(index)) as FileSystemFileHandle & {
			createSyncAccessHandle(): Promise<SyncAccessHandle>;
		};
		const access = await handle.createSyncAccessHandle();
		access.truncate(0);
		return new DirectSegmentWriter(access);
	}

	async #fileHandle(index: number): Promise<FileSystemFileHandle> {
		try {
			return await (await this.#dir(true))!.getFileHandle(segmentName(index), { create: true });
		} catch (error) {
			if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
			this.#created = null; // The folder was removed under us: walk (and create) it again.
			return await (await this.#dir(true))!.getFileHandle(segmentName(index), { create: true });
		}
	}

	/** Sizes of committed segments, in order. Gaps (a missing index) end the list. */
	async segmentSizes(): Promise<number[]> {
		const dir = await this.#dir(false);
		if (!dir) return [];
		const sizes: number[] = [];
		for (const [index, handle] of await segmentEntries(dir)) {
			if (index !== sizes.length) break;
			sizes.push((await handle.getFile()).size);
		}
		return sizes;
	}

	/** Deletes segments numbered `from` and up (left by a write whose progress was not saved). */
	async truncate(from: number): Promise<void> {
		const dir = await this.#dir(false);
		if (!dir) return;
		for (const [index] of await segmentEntries(dir))
			if (index >= from) await dir.removeEntry(segmentName(index));
	}

	/** The whole file as one `File` made of the segment files (no bytes are copied). */
	async open(expectedSize: number, name: string): Promise<File> {
		const dir = await this.#dir(false);
		const files: File[] = [];
		if (dir)
			for (const [index, handle] of await segmentEntries(dir)) {
				if (index !== files.length) break;
				files.push(await handle.getFile());
			}
		const size = files.reduce((sum, file) => sum + file.size, 0);
		if (size !== expectedSize)
			throw new AppError(
				'STORAGE_UNAVAILABLE',
				`The stored file ${name} is incomplete (${size} of ${expectedSize} bytes). The browser may have cleared site storage; download the model again.`,
				{ details: { path: this.path, size, expectedSize } }
			);
		return new File(files, name.split('/').pop() ?? name, { type: 'application/octet-stream' });
	}

	/** Removes every segment, the parts folder, and parent folders left empty. */
	async remove(): Promise<void> {
		this.#created = null;
		const parentPath = this.#path.slice(0, -1);
		const parent = await walk(this.#root, parentPath, false);
		if (!parent) return;
		try {
			await parent.removeEntry(this.#path[this.#path.length - 1] as string, { recursive: true });
		} catch (error) {
			if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
		}
		await pruneEmpty(this.#root, parentPath);
	}
}

/** Removes the folders of `path` that are empty, deepest first, never `models/` itself. */
async function pruneEmpty(root: FileSystemDirectoryHandle, path: string[]): Promise<void> {
	for (let depth = path.length; depth > 1; depth--) {
		const parent = await walk(root, path.slice(0, depth - 1), false);
		const name = path[depth - 1] as string;
		if (!parent) return;
		const dir = await walk(parent, [name], false);
		if (!dir) continue;
		const entries = iterable(dir).keys();
		if (!(await entries.next()).done) return;
		try {
			await parent.removeEntry(name);
		} catch {
			return;
		}
	}
}

/** What a segment is written through. */
export interface SegmentSink {
	readonly bytes: number;
	write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
	commit(): Promise<void>;
	abort(): Promise<void>;
}

/** The parts of `FileSystemSyncAccessHandle` used here (TypeScript's DOM lib has none). */
interface SyncAccessHandle {
	write(buffer: Uint8Array, options: { at: number }): number;
	truncate(size: number): void;
	flush(): void;
	close(): void;
}

/** Sync access handles exist only in dedicated workers, and only where the browser has them. */
function directWritesHere(): boolean {
	return (
		typeof (globalThis as { DedicatedWorkerGlobalScope?: unknown }).DedicatedWorkerGlobalScope !==
			'undefined' &&
		globalThis instanceof
			(globalThis as unknown as { DedicatedWorkerGlobalScope: typeof Object })
				.DedicatedWorkerGlobalScope &&
		typeof FileSystemFileHandle !== 'undefined' &&
		'createSyncAccessHandle' in FileSystemFileHandle.prototype
	);
}

/** One segment written synchronously into its file (see `SegmentStore.openSegmentDirect`). */
class DirectSegmentWriter implements SegmentSink {
	readonly #access: SyncAccessHandle;
	#bytes = 0;
	#closed = false;

	constructor(access: SyncAccessHandle) {
		this.#access = access;
	}

	get bytes(): number {
		return this.#bytes;
	}

	async write(chunk: Uint8Array<ArrayBuffer>): Promise<void> {
		try {
			let at = 0;
			while (at < chunk.byteLength)
				at += this.#access.write(chunk.subarray(at), { at: this.#bytes + at });
		} catch (error) {
			await this.abort();
			throw toAppError(error, 'STORAGE_UNAVAILABLE');
		}
		this.#bytes += chunk.byteLength;
	}

	async commit(): Promise<void> {
		try {
			this.#access.flush();
		} catch (error) {
			await this.abort();
			throw toAppError(error, 'STORAGE_UNAVAILABLE');
		}
		this.#close();
	}

	/** Drops the segment's bytes (an empty file stays, as `SegmentWriter.abort` leaves it). */
	async abort(): Promise<void> {
		if (this.#closed) return;
		try {
			this.#access.truncate(0);
		} catch {
			// The bytes go with the truncate on the next resume.
		}
		this.#close();
	}

	#close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#access.close();
	}
}

/**
 * One segment being written. Writes are batched and pipelined: `write()` resolves as soon as the
 * bytes are queued, keeping at most `maxPending` disk writes in flight, so hashing and fetching
 * overlap disk I/O.
 */
export class SegmentWriter implements SegmentSink {
	readonly #writable: FileSystemWritableFileStream;
	readonly #pending: Promise<void>[] = [];
	/** Small chunks are gathered into writes of about this size (fewer, larger disk writes). */
	readonly #batchBytes: number;
	#batch: Uint8Array<ArrayBuffer>[] = [];
	#batched = 0;
	#failed: unknown = null;
	#bytes = 0;

	constructor(writable: FileSystemWritableFileStream, batchBytes = 4 * 1024 * 1024) {
		this.#writable = writable;
		this.#batchBytes = batchBytes;
	}

	get bytes(): number {
		return this.#bytes;
	}

	/** Queues bytes (the caller must not change `chunk` afterwards). */
	async write(chunk: Uint8Array<ArrayBuffer>, maxPending = 2): Promise<void> {
		if (this.#failed) throw toAppError(this.#failed, 'STORAGE_UNAVAILABLE');
		this.#batch.push(chunk);
		this.#batched += chunk.byteLength;
		this.#bytes += chunk.byteLength;
		if (this.#batched >= this.#batchBytes) this.#flush();
		while (this.#pending.length > maxPending) await this.#pending.shift();
		if (this.#failed) throw toAppError(this.#failed, 'STORAGE_UNAVAILABLE');
	}

	#flush(): void {
		if (this.#batched === 0) return;
		let data: Uint8Array<ArrayBuffer>;
		if (this.#batch.length === 1) data = this.#batch[0] as Uint8Array<ArrayBuffer>;
		else {
			data = new Uint8Array(this.#batched);
			let at = 0;
			for (const part of this.#batch) {
				data.set(part, at);
				at += part.byteLength;
			}
		}
		this.#batch = [];
		this.#batched = 0;
		this.#pending.push(
			this.#writable.write(data).catch((error: unknown) => {
				this.#failed ??= error;
			})
		);
	}

	/** Waits for every write, then closes: the segment becomes visible, atomically. */
	async commit(): Promise<void> {
		this.#flush();
		await Promise.all(this.#pending.splice(0));
		if (this.#failed) {
			await this.abort();
			throw toAppError(this.#failed, 'STORAGE_UNAVAILABLE');
		}
		await this.#writable.close();
	}

	/** Drops the segment: nothing of it stays on disk. */
	async abort(): Promise<void> {
		this.#batch = [];
		this.#batched = 0;
		await Promise.allSettled(this.#pending.splice(0));
		try {
			await this.#writable.abort();
		} catch {
			// Already closed or errored: nothing to drop.
		}
	}
}
