import { AppError } from '../errors';
import { formatBytes } from '../units';
import { remainingBytes } from './jobs';
import type { DownloadJobRecord } from './types';

/** Storage checks for a download, told in terms of the download. */

export type StorageEstimateFn = () => Promise<{ usage?: number; quota?: number }>;

/** Refuses a job whose remaining bytes do not fit in what the browser still allows this site. */
export async function checkQuota(
	job: DownloadJobRecord,
	estimate: StorageEstimateFn
): Promise<void> {
	const needed = remainingBytes(job);
	let current: { usage?: number; quota?: number };
	try {
		current = await estimate();
	} catch {
		return; // No estimate: a mid-way QuotaExceededError still stops cleanly.
	}
	if (current.quota === undefined) return;
	const available = Math.max(0, current.quota - (current.usage ?? 0));
	if (needed > available)
		throw new AppError(
			'STORAGE_QUOTA',
			`Not enough storage: this model needs ${formatBytes(needed)} but the browser allows this site only ${formatBytes(available)} more. Delete models in the Library or free disk space, then try again.`,
			{ details: { needed, available, quota: current.quota, usage: current.usage ?? 0 } }
		);
}

/** A storage quota error, told in terms of this download (other errors pass through). */
export function quotaError(job: DownloadJobRecord, error: AppError): AppError {
	if (error.code !== 'STORAGE_QUOTA') return error;
	const left = remainingBytes(job);
	return new AppError(
		'STORAGE_QUOTA',
		`Not enough storage: the browser refused to store more of this model (${formatBytes(left)} still to download). Files already verified were kept. Delete models in the Library or free disk space, then retry.`,
		{ cause: error, details: { remaining: left } }
	);
}
