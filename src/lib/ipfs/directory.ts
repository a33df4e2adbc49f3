import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

export interface DirectoryEntry {
	name: string;
	cid: CID;
	/** Cumulative DAG size of the entry (Tsize). */
	dagSize: number;
}

/** A flat UnixFS directory node (links sorted by name, as dag-pb requires), CIDv1. */
export async function buildDirectory(
	entries: DirectoryEntry[]
): Promise<{ cid: CID; bytes: Uint8Array; dagSize: number }> {
	const node = dagPb.prepare({
		Data: new UnixFS({ type: 'directory' }).marshal(),
		Links: entries.map((entry) => ({ Name: entry.name, Hash: entry.cid, Tsize: entry.dagSize }))
	});
	const bytes = dagPb.encode(node);
	const cid = CID.createV1(dagPb.code, await sha256.digest(bytes));
	const dagSize = bytes.byteLength + entries.reduce((sum, entry) => sum + entry.dagSize, 0);
	return { cid, bytes, dagSize };
}
