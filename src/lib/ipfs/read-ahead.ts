/**
 * Bytes read ahead of a block: serving a model and verifying it read its file in order, and one
 * read of 4 MiB costs far less than sixteen of 256 KiB (each read of a `File` goes through the
 * browser's blob system, on the browser's own threads).
 */
export const READ_AHEAD_BYTES = 4 * 1024 * 1024;
/** Windows kept at once, the most recently used last (16 MiB at most). */
export const WINDOWS_KEPT = 4;
/** How long a window is used after it was read: a file that changes later is read afresh. */
export const WINDOW_TTL_MS = 5_000;

interface Window {
	path: string;
	start: number;
	end: number;
	loadedAt: number;
	bytes: Promise<Uint8Array>;
}

/**
 * A few windows of recently read file bytes. A read inside a window (even one still arriving)
 * is served from it; any other read loads a new window starting at its offset.
 */
export class ReadAhead {
	readonly #windows: Window[] = [];
	readonly #windowBytes: number;
	readonly #kept: number;

	constructor(windowBytes = READ_AHEAD_BYTES, kept = WINDOWS_KEPT) {
		this.#windowBytes = windowBytes;
		this.#kept = kept;
	}

	/**
	 * `length` bytes at `offset` of `file` (known as `path`), as a copy that owns its buffer: a
	 * block may be kept or handed to another thread without holding on to its whole window.
	 * `view`: the bytes inside the window instead, without a copy, for a block used on this thread
	 * and let go (a view posted to another thread would take its whole window along).
	 */
	async read(
		path: string,
		file: Blob,
		offset: number,
		length: number,
		{ view = false }: { view?: boolean } = {}
	): Promise<Uint8Array> {
		const window = this.#find(path, offset, length) ?? this.#load(path, file, offset, length);
		try {
			const bytes = await window.bytes;
			const start = offset - window.start;
			return view ? bytes.subarray(start, start + length) : bytes.slice(start, start + length);
		} catch (error) {
			this.#drop(window);
			throw error;
		}
	}

	/** Forgets the windows of one file (it changed or went away), or of all. */
	forget(path?: string): void {
		for (const window of [...this.#windows])
			if (path === undefined || window.path === path) this.#drop(window);
	}

	#find(path: string, offset: number, length: number): Window | undefined {
		const now = performance.now();
		const index = this.#windows.findIndex(
			(window) =>
				window.path === path &&
				window.start <= offset &&
				offset + length <= window.end &&
				now - window.loadedAt < WINDOW_TTL_MS
		);
		if (index < 0) return undefined;
		const [window] = this.#windows.splice(index, 1);
		this.#windows.push(window as Window);
		return window;
	}

	#load(path: string, file: Blob, offset: number, length: number): Window {
		const end = Math.min(file.size, offset + Math.max(length, this.#windowBytes));
		const bytes = file
			.slice(offset, Math.max(end, offset + length))
			.arrayBuffer()
			.then((buffer) => new Uint8Array(buffer));
		const window = {
			path,
			start: offset,
			end: Math.max(end, offset + length),
			loadedAt: performance.now(),
			bytes
		};
		this.#windows.push(window);
		while (this.#windows.length > this.#kept) this.#windows.shift();
		return window;
	}

	#drop(window: Window): void {
		const index = this.#windows.indexOf(window);
		if (index >= 0) this.#windows.splice(index, 1);
	}
}
