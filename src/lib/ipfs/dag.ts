import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { AppError } from '../errors';

export interface DecodedNode {
	links: { name: string | undefined; cid: CID; tsize: number | undefined }[];
	unixfs: UnixFS | undefined;
}

export function decodeNode(cid: CID, bytes: Uint8Array): DecodedNode {
	if (cid.code === raw.code) return { links: [], unixfs: undefined };
	if (cid.code !== dagPb.code)
		throw new AppError('IPFS_NOT_FOUND', 'This CID is not a UnixFS file or folder.', {
			details: { cid: cid.toString() }
		});
	try {
		const node = dagPb.decode(bytes);
		return {
			links: node.Links.map((link) => ({ name: link.Name, cid: link.Hash, tsize: link.Tsize })),
			unixfs: node.Data ? UnixFS.unmarshal(node.Data) : undefined
		};
	} catch (cause) {
		throw new AppError('IPFS_BLOCK_INVALID', 'A block of this model is not valid UnixFS.', {
			cause,
			details: { cid: cid.toString() }
		});
	}
}

/**
 * Visits every block of a DAG depth-first, parents before children (CAR order). `load` gives a
 * block's bytes; leaves (raw CIDs) are loaded only when `loadLeaves` is true.
 */
export async function* walkDag(
	root: CID,
	load: (cid: CID) => Promise<Uint8Array>,
	options: { loadLeaves: boolean; signal?: AbortSignal }
): AsyncGenerator<{ cid: CID; bytes: Uint8Array | undefined }> {
	const stack: CID[] = [root];
	while (stack.length > 0) {
		options.signal?.throwIfAborted();
		const cid = stack.pop() as CID;
		if (cid.code === raw.code) {
			yield { cid, bytes: options.loadLeaves ? await load(cid) : undefined };
			continue;
		}
		const bytes = await load(cid);
		yield { cid, bytes };
		const { links } = decodeNode(cid, bytes);
		for (let index = links.length - 1; index >= 0; index--)
			stack.push((links[index] as DecodedNode['links'][number]).cid);
	}
}
