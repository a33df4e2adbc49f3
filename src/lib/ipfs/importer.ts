import { importer, type BufferImporter } from 'ipfs-unixfs-importer';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { ImporterOptions } from 'ipfs-unixfs-importer';
import { CHUNK_SIZE, MAX_CHILDREN_PER_NODE } from './settings';

/** kubo `--cid-version=1 --raw-leaves` as importer options (see settings.ts). */
export function kuboImporterOptions(): ImporterOptions {
	return {
		cidVersion: 1,
		rawLeaves: true,
		reduceSingleLeafToSelf: true,
		chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
		layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
		wrapWithDirectory: false
	};
}

/** Where an import puts what it produces: DAG-PB nodes are stored, raw leaves only located. */
export interface DagSink {
	putNode(cid: CID, bytes: Uint8Array): Promise<void>;
	/** A raw leaf: `length` bytes at `offset` of the imported file. `bytes` is a transient view. */
	putLeaf(cid: CID, offset: number, length: number, bytes: Uint8Array): Promise<void>;
}

export interface ImportProgress {
	bytesDone: number;
}

export interface ImportOptions {
	signal?: AbortSignal;
	onProgress?: (progress: ImportProgress) => void;
}

export interface ImportedFile {
	cid: CID;
	/** File size in bytes. */
	size: number;
	/** Sum of the sizes of all blocks of the DAG (the `Tsize` a parent directory links with). */
	dagSize: number;
}

/**
 * Imports one file as UnixFS with kubo's `--cid-version=1 --raw-leaves` settings. The leaves are
 * handed to `sink.putLeaf` with their offset (nothing is copied); only the DAG nodes are stored.
 */
export async function importFile(
	content: AsyncIterable<Uint8Array>,
	sink: DagSink,
	options: ImportOptions = {}
): Promise<ImportedFile> {
	let bytesDone = 0;
	let dagSize = 0;
	const bufferImporter: BufferImporter = async function* (file) {
		let offset = 0;
		for await (const chunk of file.content) {
			options.signal?.throwIfAborted();
			const at = offset;
			offset += chunk.byteLength;
			yield async () => {
				const cid = CID.createV1(raw.code, await sha256.digest(chunk));
				await sink.putLeaf(cid, at, chunk.byteLength, chunk);
				bytesDone += chunk.byteLength;
				dagSize += chunk.byteLength;
				options.onProgress?.({ bytesDone });
				return { cid, size: BigInt(chunk.byteLength), block: chunk };
			};
		}
	};
	const nodes = {
		put: async (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>) => {
			if (!(bytes instanceof Uint8Array)) throw new TypeError('expected a whole block');
			options.signal?.throwIfAborted();
			dagSize += bytes.byteLength;
			await sink.putNode(cid, bytes);
			return cid;
		}
	};
	let last: ImportedFile | undefined;
	for await (const entry of importer([{ content }], nodes, {
		...kuboImporterOptions(),
		bufferImporter
	})) {
		last = { cid: entry.cid, size: Number(entry.unixfs?.fileSize() ?? entry.size), dagSize };
	}
	if (!last) throw new Error('the importer produced nothing');
	return last;
}

/** Reads a Blob in large slices, yielding chunk-aligned views (no copy beyond the read itself). */
export async function* readBlob(
	blob: Blob,
	sliceSize = 16 * 262_144,
	signal?: AbortSignal
): AsyncGenerator<Uint8Array> {
	for (let offset = 0; offset < blob.size; offset += sliceSize) {
		signal?.throwIfAborted();
		const bytes = new Uint8Array(await blob.slice(offset, offset + sliceSize).arrayBuffer());
		for (let at = 0; at < bytes.byteLength; at += 262_144) yield bytes.subarray(at, at + 262_144);
	}
}
