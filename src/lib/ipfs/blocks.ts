import type { CID } from 'multiformats/cid';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { AppError } from '../errors';

/** True when `bytes` hash to the multihash in `cid` (sha2-256 or identity). */
export async function blockMatches(cid: CID, bytes: Uint8Array): Promise<boolean> {
	if (cid.multihash.code === identity.code) {
		const digest = cid.multihash.digest;
		return digest.length === bytes.length && digest.every((byte, index) => byte === bytes[index]);
	}
	if (cid.multihash.code !== sha256.code) return false;
	const digest = (await sha256.digest(bytes)).digest;
	const expected = cid.multihash.digest;
	if (digest.length !== expected.length) return false;
	for (let index = 0; index < digest.length; index++)
		if (digest[index] !== expected[index]) return false;
	return true;
}

/** Throws IPFS_BLOCK_INVALID when the bytes are not the block the CID names. */
export async function assertBlock(cid: CID, bytes: Uint8Array, where: string): Promise<void> {
	if (!(await blockMatches(cid, bytes)))
		throw new AppError(
			'IPFS_BLOCK_INVALID',
			`A block of this model failed verification (${where}): its bytes do not match its CID.`,
			{ details: { cid: cid.toString() } }
		);
}

/** A copy that owns exactly its bytes (a subarray view would keep its whole buffer alive). */
export function ownBytes(bytes: Uint8Array): Uint8Array {
	return bytes.slice();
}
