import { AppError } from '../errors';
import { ReadAhead } from './read-ahead';

/**
 * Reads files from the origin private file system by path. A path names either a plain file or
 * a folder of numbered segment files (the downloads' `…/<file>.parts/00000, 00001, …` layout),
 * which reads as one `File` made of its segments (no copy).
 */
export class OpfsFiles {
	readonly #cache = new Map<string, Promise<File>>();
	readonly #readAhead = new ReadAhead();

	async #root(): Promise<FileSystemDirectoryHandle> {
		if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory)
			throw new AppError('STORAGE_UNAVAILABLE', 'This browser has no private file system (OPFS).');
		return navigator.storage.getDirectory();
	}

	async #open(path: string): Promise<File> {
		const parts = path.split('/').filter(Boolean);
		const last = parts.pop();
		if (!last) throw new AppError('STORAGE_UNAVAILABLE', `Invalid file path: ${path}`);
		try {
			let dir = await this.#root();
			for (const name of parts) dir = await dir.getDirectoryHandle(name);
			const handle = await entry(dir, last);
			if (handle?.kind === 'file') return await handle.getFile();
			if (handle?.kind === 'directory') {
				// Segment files are named 00000, 00001, … (see storage/opfs.ts).
				const segments: File[] = [];
				for (;;) {
					const segment = await entry(handle, String(segments.length).padStart(5, '0'));
					if (segment?.kind !== 'file') break;
					segments.push(await segment.getFile());
				}
				return new File(segments, last);
			}
		} catch (cause) {
			if (AppError.is(cause)) throw cause;
			if (!(cause instanceof DOMException && cause.name === 'NotFoundError'))
				throw new AppError('STORAGE_UNAVAILABLE', `Could not open ${path}.`, { cause });
		}
		throw new AppError('IPFS_NOT_FOUND', `The file behind a pinned block is missing: ${path}`, {
			details: { path }
		});
	}

	/** The whole file; cached until `forget(path)`. */
	file(path: string): Promise<File> {
		let file = this.#cache.get(path);
		if (!file) {
			file = this.#open(path);
			this.#cache.set(path, file);
			file.catch(() => this.#cache.delete(path));
		}
		return file;
	}

	forget(path?: string): void {
		if (path === undefined) this.#cache.clear();
		else this.#cache.delete(path);
		this.#readAhead.forget(path);
	}

	/**
	 * `length` bytes at `offset` (read ahead: the bytes after them are kept for the next reads);
	 * re-opens once when the file changed since it was opened. `view`: see `ReadAhead.read`.
	 */
	async read(
		path: string,
		offset: number,
		length: number,
		options: { view?: boolean } = {}
	): Promise<Uint8Array> {
		for (let attempt = 0; ; attempt++) {
			try {
				return await this.#readAhead.read(path, await this.file(path), offset, length, options);
			} catch (error) {
				// A File snapshot is unreadable once its bytes changed on disk: open it afresh.
				if (attempt > 0 || AppError.is(error)) throw error;
				this.forget(path);
			}
		}
	}
}

async function entry(
	dir: FileSystemDirectoryHandle,
	name: string
): Promise<FileSystemFileHandle | FileSystemDirectoryHandle | null> {
	for (const get of [() => dir.getFileHandle(name), () => dir.getDirectoryHandle(name)] as const) {
		try {
			return await get();
		} catch (error) {
			if (!(error instanceof DOMException)) throw error;
			if (error.name !== 'TypeMismatchError' && error.name !== 'NotFoundError') throw error;
		}
	}
	return null;
}
