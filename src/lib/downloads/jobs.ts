import { AppError } from '../errors';
import type { LocalModel } from '../storage/types';
import {
	modelIdFor,
	type DownloadJobRecord,
	type DownloadJobSnapshot,
	type DownloadRequest,
	type ShardRecord
} from './types';

/** Pure functions over job records. */

const SHA256_HEX = /^[0-9a-f]{64}$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** Checks a page's request; the message says what is wrong. */
export function validateRequest(request: DownloadRequest): void {
	const fail = (message: string) => {
		throw new AppError('DOWNLOAD_INVALID_REQUEST', message, {
			details: { repoId: request?.repoId }
		});
	};
	if (!request || typeof request.repoId !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(request.repoId))
		fail('The download names no valid repository.');
	if (typeof request.revision !== 'string' || !COMMIT_SHA.test(request.revision))
		fail('Downloads need a pinned commit (a 40-character SHA), not a branch name.');
	const variant = request.variant;
	if (!variant || typeof variant.key !== 'string' || !Array.isArray(variant.files))
		fail('The download names no variant.');
	if (variant.files.length === 0) fail('This variant has no files.');
	const seen = new Set<string>();
	for (const file of variant.files) {
		if (typeof file.path !== 'string' || !file.path || file.path.split('/').includes('..'))
			fail('A file of this variant has an invalid path.');
		if (seen.has(file.path)) fail(`The file ${file.path} is listed twice.`);
		seen.add(file.path);
		if (!Number.isSafeInteger(file.size) || file.size < 0)
			fail(`The file ${file.path} has no valid size.`);
		if (file.sha256 !== null && !SHA256_HEX.test(file.sha256))
			fail(`The file ${file.path} has an invalid SHA-256.`);
	}
}

const MIB = 1024 * 1024;

/**
 * Segment size for a file: about 1/64 of it, a power of two between 1 MiB and `maxBytes`, so that
 * small files still commit (and can resume) several times and big ones have a few hundred segments.
 */
export function segmentBytesFor(size: number, maxBytes: number): number {
	const min = Math.min(MIB, maxBytes);
	const target = 2 ** Math.ceil(Math.log2(Math.max(1, size / 64)));
	return Math.min(maxBytes, Math.max(min, target));
}

export function newShard(
	file: { path: string; size: number; sha256: string | null },
	segmentBytes: number
): ShardRecord {
	return {
		path: file.path,
		size: file.size,
		sha256: file.sha256,
		state: 'pending',
		committed: 0,
		segments: 0,
		segmentBytes: segmentBytesFor(file.size, segmentBytes),
		hashState: null,
		etag: null,
		actualSha256: null
	};
}

export function createJob(
	request: DownloadRequest,
	segmentBytes: number,
	now: number
): DownloadJobRecord {
	validateRequest(request);
	const shards = request.variant.files.map((file) => newShard(file, segmentBytes));
	return {
		id: modelIdFor(request.repoId, request.revision, request.variant.key),
		repoId: request.repoId,
		revision: request.revision,
		variantKey: request.variant.key,
		variantLabel: request.variant.label || request.variant.key,
		state: 'queued',
		shards,
		totalBytes: shards.reduce((sum, shard) => sum + shard.size, 0),
		error: null,
		createdAt: now,
		updatedAt: now
	};
}

/** Resets a shard to start over (bytes must be deleted by the caller). */
export function resetShard(shard: ShardRecord): void {
	shard.state = 'pending';
	shard.committed = 0;
	shard.segments = 0;
	shard.hashState = null;
	shard.etag = null;
	shard.actualSha256 = null;
}

/** Bytes still to fetch. */
export function remainingBytes(job: DownloadJobRecord): number {
	return job.shards.reduce((sum, shard) => sum + (shard.size - shard.committed), 0);
}

export function snapshotOf(
	job: DownloadJobRecord,
	received: ReadonlyMap<string, number> = new Map(),
	notice: DownloadJobSnapshot['notice'] = null,
	waiting: DownloadJobSnapshot['waiting'] = null
): DownloadJobSnapshot {
	const shards = job.shards.map((shard) => ({
		path: shard.path,
		size: shard.size,
		received: Math.min(shard.size, Math.max(shard.committed, received.get(shard.path) ?? 0)),
		committed: shard.committed,
		state: shard.state
	}));
	return {
		id: job.id,
		repoId: job.repoId,
		revision: job.revision,
		variantKey: job.variantKey,
		variantLabel: job.variantLabel,
		state: job.state,
		totalBytes: job.totalBytes,
		receivedBytes: shards.reduce((sum, shard) => sum + shard.received, 0),
		shards,
		error: job.error,
		notice,
		waiting,
		updatedAt: job.updatedAt
	};
}

/** The local model a finished job produces. */
export function localModelOf(job: DownloadJobRecord, now: number): LocalModel {
	return {
		id: job.id,
		repoId: job.repoId,
		revision: job.revision,
		variant: job.variantLabel,
		files: job.shards.map((shard) => ({
			path: shard.path,
			size: shard.size,
			sha256: shard.actualSha256 ?? '',
			hubSha256: shard.sha256?.toLowerCase() ?? null
		})),
		totalBytes: job.totalBytes,
		source: 'hub',
		addedAt: now
	};
}

/** Jobs that should be running: after a service worker restart they are picked up again. */
export function isActive(job: DownloadJobRecord): boolean {
	return job.state === 'queued' || job.state === 'downloading' || job.state === 'verifying';
}
