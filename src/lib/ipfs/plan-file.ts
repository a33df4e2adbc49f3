import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { AppError } from '../errors';
import { decodeNode } from './dag';

/** A file to fetch, laid out: its leaves in file order, each with its place in the file. */
export interface FilePlan {
	name: string;
	cid: CID;
	size: number;
	dagSize: number;
	leaves: { cid: CID; offset: number; length: number; bytes?: Uint8Array }[];
}

/**
 * Fetches a file's interior nodes (verified, through `fetchBlock`) and lays out its leaves with
 * their offsets. The children of a node are asked for together (`fetchBlock` bounds how many at
 * once): a model of a few GB has tens of interior nodes under its root, and one after another
 * they would cost a round trip each before the first leaf is asked for.
 */
export async function planFile(
	target: { name: string; cid: CID; bytes: Uint8Array },
	fetchBlock: (cid: CID) => Promise<Uint8Array>,
	nodes: Map<string, Uint8Array>
): Promise<FilePlan> {
	let dagSize = 0;
	const visit = async (
		cid: CID,
		bytes: Uint8Array | undefined,
		offset: number,
		length: number | undefined
	): Promise<FilePlan['leaves']> => {
		if (cid.code === raw.code) {
			if (length === undefined) {
				// A lone raw block: its size is its length.
				const own = bytes ?? (await fetchBlock(cid));
				dagSize += own.byteLength;
				return [{ cid, offset, length: own.byteLength, bytes: own }];
			}
			dagSize += length;
			return [{ cid, offset, length }];
		}
		const own = bytes ?? (await fetchBlock(cid));
		const node = decodeNode(cid, own);
		if (!node.unixfs || (node.unixfs.type !== 'file' && node.unixfs.type !== 'raw'))
			throw new AppError('IPFS_NOT_FOUND', 'This CID is not a plain file.');
		if (node.links.length > 0 && node.unixfs.data && node.unixfs.data.byteLength > 0)
			throw new AppError('IPFS_NOT_FOUND', 'This file uses a UnixFS layout that is not supported.');
		if (node.links.length === 0) {
			// A UnixFS leaf node (kubo without --raw-leaves): not read in place from the file.
			throw new AppError(
				'IPFS_NOT_FOUND',
				'This file was added without raw leaves (kubo --raw-leaves=false); add it with --cid-version=1 --raw-leaves.'
			);
		}
		const sizes = node.unixfs.blockSizes.map(Number);
		if (sizes.length !== node.links.length) throw inconsistentSizes(cid);
		nodes.set(cid.toString(), own);
		dagSize += own.byteLength;
		let at = offset;
		const children = node.links.map(async (link, index) => {
			const size = sizes[index] as number;
			const start = at;
			at += size;
			const leaves = await visit(link.cid, undefined, start, size);
			// A child holds exactly the bytes its parent says: the leaves' places depend on it.
			if (leaves.reduce((sum, leaf) => sum + leaf.length, 0) !== size) throw inconsistentSizes(cid);
			return leaves;
		});
		return (await Promise.all(children)).flat();
	};
	const leaves = await visit(target.cid, target.bytes, 0, undefined);
	const size = leaves.reduce((sum, leaf) => sum + leaf.length, 0);
	return { name: target.name, cid: target.cid, size, dagSize, leaves };
}

function inconsistentSizes(cid: CID): AppError {
	return new AppError('IPFS_BLOCK_INVALID', 'A file node has inconsistent sizes.', {
		details: { cid: cid.toString() }
	});
}
