import type { SerializedAppError } from '../errors';
import type { LocalModel } from '../storage/types';

/** What to pin: a file in OPFS (a plain file or a downloads `.parts` folder), or any Blob. */
export interface PinFileInput {
	/** Path from the OPFS root, e.g. `models/org/repo/<rev>/model.gguf.parts`. */
	opfsPath?: string;
	/** A model file in the downloads layout; resolved to its `.parts` folder. */
	model?: { repoId: string; revision: string; path: string };
	/** Bytes that are not in OPFS: their leaves are copied into IndexedDB. */
	blob?: Blob;
	/** Name used in a variant's directory (defaults to the path's last segment). */
	name?: string;
	/** SHA-256 (hex) already verified for these bytes, recorded beside the CID. */
	sha256?: string;
}

export interface IpfsProgress {
	phase: 'pin' | 'fetch' | 'verify' | 'export';
	bytesDone: number;
	totalBytes: number;
	file?: string;
}

export interface PinResult {
	cid: string;
	size: number;
}

export interface PinVariantResult {
	cids: string[];
	directoryCid: string;
}

export interface PinInfo {
	cid: string;
	kind: 'file' | 'directory';
	name: string;
	size: number;
	sha256?: string;
	path?: string;
	parent?: string;
	files?: { name: string; cid: string; size: number }[];
	pinnedAt: number;
}

export interface FetchByCidInput {
	cid: string;
	gateways: string[];
	/** Display name for the model (defaults to the file name). */
	name?: string;
	/**
	 * What a share link says this CID holds: the fetched files must match it (names, sizes,
	 * SHA-256s) or nothing is registered (`P2P_LINK_INVALID`); the model keeps its repo and revision.
	 */
	record?: ModelRecord;
}

/** A model's record as a share link carries it. */
export interface ModelRecord {
	repoId: string;
	revision: string;
	variant: string;
	files: { path: string; size: number; sha256: string }[];
}

export interface FetchByCidResult {
	cid: string;
	model: LocalModel;
}

/** A call's outcome across the worker boundary (AppErrors keep their code). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: SerializedAppError };

/** Blocks handed from the page to the worker (the page's peer fetches them). */
export interface PageBlockSource {
	block(cid: string): Promise<Outcome<Uint8Array>>;
	/** The leaves the worker will ask for next, in order: the page asks the network ahead. */
	prefetch(cids: string[], ahead: number): void;
}
