import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import {
	createJob,
	localModelOf,
	remainingBytes,
	segmentBytesFor,
	snapshotOf,
	validateRequest
} from './jobs';
import type { DownloadRequest } from './types';

const sha = (c: string) => c.repeat(64);
const request: DownloadRequest = {
	repoId: 'citrate-test/tiny-llama-sharded-GGUF',
	revision: 'a'.repeat(40),
	variant: {
		key: 'Q8_0',
		label: 'Q8_0',
		files: [
			{ path: 'm-00001-of-00002.gguf', size: 10, sha256: sha('1') },
			{ path: 'm-00002-of-00002.gguf', size: 5, sha256: sha('2') }
		]
	}
};

describe('validateRequest', () => {
	it('accepts a pinned variant', () => {
		expect(() => validateRequest(request)).not.toThrow();
	});
	it.each([
		['a branch name', { ...request, revision: 'main' }],
		['a bad repo id', { ...request, repoId: 'nope' }],
		['no files', { ...request, variant: { ...request.variant, files: [] } }],
		[
			'a parent path',
			{
				...request,
				variant: { ...request.variant, files: [{ path: '../x', size: 1, sha256: null }] }
			}
		],
		[
			'a bad hash',
			{ ...request, variant: { ...request.variant, files: [{ path: 'x', size: 1, sha256: 'zz' }] } }
		]
	])('refuses %s', (_, bad) => {
		expect(() => validateRequest(bad as DownloadRequest)).toThrow(AppError);
	});
});

describe('jobs', () => {
	it('creates a queued job with one shard per file, in order', () => {
		const job = createJob(request, 4, 1);
		expect(job.id).toBe(`${request.repoId}@${request.revision}:Q8_0`);
		expect(job.state).toBe('queued');
		expect(job.totalBytes).toBe(15);
		expect(job.shards.map((s) => s.path)).toEqual(request.variant.files.map((f) => f.path));
		expect(remainingBytes(job)).toBe(15);
		job.shards[0]!.committed = 8;
		expect(remainingBytes(job)).toBe(7);
	});
	it('snapshots live progress without going below what was committed', () => {
		const job = createJob(request, 4, 1);
		job.shards[0]!.committed = 8;
		const snap = snapshotOf(job, new Map([['m-00001-of-00002.gguf', 9]]));
		expect(snap.receivedBytes).toBe(9);
		expect(snapshotOf(job).receivedBytes).toBe(8);
		expect('hashState' in snap.shards[0]!).toBe(false);
	});
	it('turns a finished job into a local model', () => {
		const job = createJob(request, 4, 1);
		for (const shard of job.shards) shard.actualSha256 = shard.sha256;
		const model = localModelOf(job, 5);
		expect(model).toMatchObject({ id: job.id, variant: 'Q8_0', totalBytes: 15, source: 'hub' });
		// The Hub's SHA-256 is kept next to the one computed, so the Library can say it was verified.
		expect(model.files[1]).toEqual({
			path: 'm-00002-of-00002.gguf',
			size: 5,
			sha256: sha('2'),
			hubSha256: sha('2')
		});
	});
});

describe('segmentBytesFor', () => {
	const MIB = 1024 * 1024;
	it('commits small files several times, big ones in segments of at most the maximum', () => {
		expect(segmentBytesFor(2_500_000, 8 * MIB)).toBe(MIB);
		expect(segmentBytesFor(100_000_000, 8 * MIB)).toBe(2 * MIB);
		expect(segmentBytesFor(4_000_000_000, 8 * MIB)).toBe(8 * MIB);
		expect(segmentBytesFor(10, 256 * 1024)).toBe(256 * 1024);
	});
});
