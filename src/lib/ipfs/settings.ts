import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { ImporterOptions } from 'ipfs-unixfs-importer';

/**
 * The UnixFS settings that make our CIDs equal to kubo's `ipfs add --cid-version=1 --raw-leaves`:
 * CIDv1, raw leaves, fixed 262,144-byte chunks, balanced DAG with at most 174 links per node.
 * (`@helia/unixfs` 8 defaults differ, so every import passes these explicitly.)
 */
export const CHUNK_SIZE = 262_144;
export const MAX_CHILDREN_PER_NODE = 174;

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
