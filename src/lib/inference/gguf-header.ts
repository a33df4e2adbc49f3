/**
 * Reads what loading needs from a GGUF header first: the trained context length
 * (`<architecture>.context_length`) and the attention head sizes (whether the KV cache can be q8_0). Reads the Blob in slices (OPFS files are never read whole) and
 * stops as soon as it knows the answer.
 */

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const CHUNK_BYTES = 256 * 1024;
/** A header with more entries than this is not one we trust. */
const MAX_KV = 1_000_000;

/** Byte sizes of GGUF's fixed-size value types (by type id). */
const FIXED_SIZE: Record<number, number> = {
	0: 1, // u8
	1: 1, // i8
	2: 2, // u16
	3: 2, // i16
	4: 4, // u32
	5: 4, // i32
	6: 4, // f32
	7: 1, // bool
	10: 8, // u64
	11: 8, // i64
	12: 8 // f64
};
const STRING = 8;
const ARRAY = 9;

class Truncated extends Error {}

class SliceReader {
	readonly #blob: Blob;
	#pos = 0;
	#start = 0;
	#view = new DataView(new ArrayBuffer(0));

	constructor(blob: Blob) {
		this.#blob = blob;
	}

	async #need(bytes: number): Promise<number> {
		const offset = this.#pos - this.#start;
		if (offset >= 0 && offset + bytes <= this.#view.byteLength) {
			this.#pos += bytes;
			return offset;
		}
		const end = Math.min(this.#blob.size, this.#pos + Math.max(bytes, CHUNK_BYTES));
		if (end - this.#pos < bytes) throw new Truncated();
		this.#view = new DataView(await this.#blob.slice(this.#pos, end).arrayBuffer());
		this.#start = this.#pos;
		this.#pos += bytes;
		return 0;
	}

	/** Reads `bytes` bytes with `get` once they are in the current slice. */
	async #read(bytes: number, get: (view: DataView, at: number) => number): Promise<number> {
		const at = await this.#need(bytes);
		return get(this.#view, at);
	}

	skip(bytes: number): void {
		this.#pos += bytes;
		if (this.#pos > this.#blob.size) throw new Truncated();
	}

	async u32(): Promise<number> {
		const offset = await this.#need(4);
		return this.#view.getUint32(offset, true);
	}

	async u64(): Promise<number> {
		const offset = await this.#need(8);
		const value = this.#view.getBigUint64(offset, true);
		if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Truncated();
		return Number(value);
	}

	async string(): Promise<string> {
		const length = await this.u64();
		if (length > 1 << 20) {
			this.skip(length);
			return '';
		}
		const offset = await this.#need(length);
		return new TextDecoder().decode(
			new Uint8Array(this.#view.buffer, this.#view.byteOffset + offset, length)
		);
	}

	async skipString(): Promise<void> {
		this.skip(await this.u64());
	}

	/** A numeric value of type `type`, or null for a non-integer type. */
	async integer(type: number): Promise<number | null> {
		switch (type) {
			case 0:
				return this.#read(1, (view, at) => view.getUint8(at));
			case 2:
				return this.#read(2, (view, at) => view.getUint16(at, true));
			case 3:
				return this.#read(2, (view, at) => view.getInt16(at, true));
			case 4:
				return this.u32();
			case 5:
				return this.#read(4, (view, at) => view.getInt32(at, true));
			case 10:
			case 11:
				return this.u64();
			default:
				await this.skipValue(type);
				return null;
		}
	}

	async skipValue(type: number): Promise<void> {
		const fixed = FIXED_SIZE[type];
		if (fixed !== undefined) return this.skip(fixed);
		if (type === STRING) return this.skipString();
		if (type !== ARRAY) throw new Truncated();
		const itemType = await this.u32();
		const count = await this.u64();
		const itemSize = FIXED_SIZE[itemType];
		if (itemSize !== undefined) return this.skip(itemSize * count);
		for (let index = 0; index < count; index++) await this.skipValue(itemType);
	}
}

/**
 * The integer values of `<architecture>.<name>` for each of `names` that the header declares (an
 * array or non-integer value counts as absent); null when the file is not a readable GGUF header.
 * Stops reading as soon as every name is known.
 */
async function readArchitectureIntegers(
	file: Blob,
	names: readonly string[]
): Promise<Map<string, number> | null> {
	const reader = new SliceReader(file);
	try {
		if ((await reader.u32()) !== GGUF_MAGIC) return null;
		const version = await reader.u32();
		if (version < 2 || version > 3) return null;
		await reader.u64(); // tensor count
		const kvCount = await reader.u64();
		if (kvCount > MAX_KV) return null;
		let architecture: string | null = null;
		const seen = new Map<string, number>();
		const wanted = (key: string) => names.some((name) => key.endsWith(`.${name}`));
		const answer = () => {
			const values = new Map<string, number>();
			for (const name of names) {
				const value = seen.get(`${architecture}.${name}`);
				if (value !== undefined) values.set(name, value);
			}
			return values;
		};
		for (let index = 0; index < kvCount; index++) {
			const key = await reader.string();
			const type = await reader.u32();
			if (key === 'general.architecture' && type === STRING) {
				architecture = await reader.string();
			} else if (wanted(key)) {
				const value = await reader.integer(type);
				if (value !== null && value > 0) seen.set(key, value);
			} else {
				await reader.skipValue(type);
			}
			if (architecture !== null && answer().size === names.length) return answer();
		}
		return architecture === null ? null : answer();
	} catch (error) {
		if (error instanceof Truncated || error instanceof RangeError) return null;
		throw error;
	}
}

/** The trained context length a GGUF file declares, or null (not GGUF, not declared, truncated). */
export async function readGgufContextLength(file: Blob): Promise<number | null> {
	return (await readArchitectureIntegers(file, ['context_length']))?.get('context_length') ?? null;
}

/**
 * The K and V head sizes (`attention.key_length` / `value_length`, else embedding ÷ heads), or
 * null when the header does not say (per-layer head counts, not GGUF, truncated).
 */
export async function readGgufHeadDims(file: Blob): Promise<{ k: number; v: number } | null> {
	const values = await readArchitectureIntegers(file, [
		'embedding_length',
		'attention.head_count',
		'attention.key_length',
		'attention.value_length'
	]);
	if (!values) return null;
	const embd = values.get('embedding_length');
	const heads = values.get('attention.head_count');
	const fallback = embd !== undefined && heads !== undefined ? embd / heads : undefined;
	const k = values.get('attention.key_length') ?? fallback;
	const v = values.get('attention.value_length') ?? fallback;
	return k !== undefined && v !== undefined && Number.isInteger(k) && Number.isInteger(v)
		? { k, v }
		: null;
}

function orderedShards(files: readonly Blob[]): Blob[] {
	const named = (file: Blob) => ('name' in file ? String((file as File).name) : '');
	return [...files].sort((a, b) => named(a).localeCompare(named(b)));
}

/** The trained context length of a model given as all its shards (the header is in shard 1). */
export async function readModelContextLength(files: readonly Blob[]): Promise<number | null> {
	for (const file of orderedShards(files)) {
		const length = await readGgufContextLength(file);
		if (length !== null) return length;
	}
	return null;
}

/** The first shard's head sizes (the header of a split model is in shard 1). */
export async function readModelHeadDims(
	files: readonly Blob[]
): Promise<{ k: number; v: number } | null> {
	for (const file of orderedShards(files)) {
		const dims = await readGgufHeadDims(file);
		if (dims !== null) return dims;
	}
	return null;
}
