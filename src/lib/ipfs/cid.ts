import { CID } from 'multiformats/cid';
import { AppError } from '../errors';

const RAW = 0x55;
const DAG_PB = 0x70;

/** Parses a CID typed by a person; a clear error for anything else. */
export function parseCid(text: string): CID {
	const trimmed = text.trim().replace(/^\/?ipfs\//, '');
	try {
		const cid = CID.parse(trimmed);
		if (cid.code !== RAW && cid.code !== DAG_PB) throw new Error('unsupported codec');
		return cid;
	} catch (cause) {
		throw new AppError('IPFS_NOT_FOUND', `"${text.trim()}" is not a CID of a file or folder.`, {
			cause
		});
	}
}
