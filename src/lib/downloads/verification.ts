/**
 * What the Library says about each stored file's integrity: checked against the Hub's SHA-256,
 * against IPFS CIDs, or not checkable; and which file of a download failed its check.
 */
import type { SerializedAppError } from '../errors';
import type { LocalModel, LocalModelFile } from '../storage';

export type VerificationStatus = 'verified' | 'failed' | 'unchecked';

export interface FileVerification {
	status: VerificationStatus;
	text: string;
}

export function fileVerification(
	model: Pick<LocalModel, 'source'>,
	file: Pick<LocalModelFile, 'sha256' | 'hubSha256'>
): FileVerification {
	if (model.source === 'ipfs')
		return { status: 'verified', text: 'Verified: every block matches its IPFS CID' };
	if (model.source === 'hub') {
		if (typeof file.hubSha256 === 'string' && file.hubSha256 !== '')
			return file.hubSha256.toLowerCase() === file.sha256.toLowerCase()
				? { status: 'verified', text: 'Verified: SHA-256 matches the Hub' }
				: { status: 'failed', text: 'Check failed: SHA-256 does not match the Hub' };
		if (file.hubSha256 === null)
			return {
				status: 'unchecked',
				text: 'Not checked: the Hub publishes no SHA-256 for this file'
			};
	}
	return { status: 'unchecked', text: 'SHA-256 computed on this device' };
}

/** The file a download's integrity check rejected (the engine deleted it), or null. */
export function failedCheck(error: SerializedAppError | null | undefined): string | null {
	if (error?.code !== 'DOWNLOAD_HASH_MISMATCH') return null;
	const path = error.details?.['path'];
	return typeof path === 'string' ? path : null;
}
