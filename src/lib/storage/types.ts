/** A file of a local model. */
export interface LocalModelFile {
	path: string;
	size: number;
	/** SHA-256 (hex) of the stored bytes, verified against the Hub's `lfs.oid` when known. */
	sha256: string;
	/**
	 * The SHA-256 the Hub published for this file (`lfs.oid`), which `sha256` was checked against;
	 * null when the Hub published none (nothing to check). Absent in records made before it was kept.
	 */
	hubSha256?: string | null;
	/** UnixFS CID once pinned. */
	cid?: string;
}

/** A usable model on this device (IndexedDB `models` store). */
export interface LocalModel {
	/** `<repoId>@<revision>:<variant key>` for Hub downloads. */
	id: string;
	repoId: string;
	revision: string;
	/** Variant label, e.g. `Q4_K_M`. */
	variant: string;
	/** In shard order. */
	files: LocalModelFile[];
	totalBytes: number;
	source: 'hub' | 'ipfs' | 'disk';
	addedAt: number;
	cid?: string;
}
