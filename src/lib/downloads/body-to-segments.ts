import type { SegmentStore, SegmentWriter } from '../storage/opfs';
import { AppError } from '../errors';
import { abortError, dropsUncommitted, isRetryable } from './abort';
import { RetryableError } from './http';
import { RestartFile, shardHasher, type ShardTask } from './shard-task';

/**
 * Full segments that may still be closing while the next is written. OPFS writes to one file are
 * sequential (about 230 MiB/s here) but different files are written in parallel (2 files: ~330,
 * 4 files: ~370 MiB/s), so a few segments in flight keep the disk from bounding the download.
 */
export const SEGMENTS_BEHIND = 3;

/**
 * Streams a body into segments; commits what was received even when the stream breaks.
 *
 * The stages overlap: bytes are hashed on this thread while earlier ones are written by the
 * browser (`SegmentWriter` keeps a few writes in flight), and a full segment is closed and its
 * progress saved in the background while the next ones are read, hashed and written (the
 * browser writes different files in parallel: one file's writes are sequential). Commits run
 * strictly in order and at most `SEGMENTS_BEHIND` run behind the reader, so `committed`,
 * `segments` and `hashState` always describe a prefix of closed segment files, and memory
 * stays bounded whatever the file size. A crash loses at most those uncommitted segments.
 */
export async function writeBodyToSegments(
	task: ShardTask,
	store: SegmentStore,
	body: ReadableStream<Uint8Array>
): Promise<void> {
	const { shard, signal } = task;
	const hasher = await shardHasher(task);
	const segmentBytes = shard.segmentBytes;
	const reader = body.getReader();
	let writer: SegmentWriter | null = null;
	let position = shard.committed;
	/** Commits still running, oldest first; each waits for the one before it. */
	const behind: Promise<void>[] = [];
	let behindFailed = false;
	/** Index of the next segment file (ahead of `shard.segments` while a commit runs). */
	let nextIndex = shard.segments;
	/** Closes the current segment behind the reader (waits while too many are closing). */
	const seal = async () => {
		const current = writer;
		writer = null;
		if (!current) return;
		if (current.bytes === 0) return current.abort();
		const end = position;
		const state = hasher.save();
		nextIndex += 1;
		const previous = behind[behind.length - 1];
		const commit = (async () => {
			if (previous) {
				try {
					await previous;
				} catch (error) {
					await current.abort();
					throw error;
				}
			}
			await current.commit();
			shard.committed = end;
			shard.segments += 1;
			shard.hashState = state;
			await task.save();
		})();
		commit.catch(() => {
			behindFailed = true;
		});
		behind.push(commit);
		while (behind.length > SEGMENTS_BEHIND) await behind.shift();
	};
	const settle = async () => {
		const last = behind[behind.length - 1];
		behind.length = 0;
		try {
			if (last) await last;
		} catch (error) {
			behindFailed = true;
			throw error;
		}
	};
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			let chunk = value as Uint8Array<ArrayBuffer>;
			while (chunk.byteLength > 0) {
				if (behindFailed) await settle();
				writer ??= await store.openSegment(nextIndex);
				const part = chunk.subarray(0, segmentBytes - writer.bytes);
				if (position + part.byteLength > shard.size)
					throw new RestartFile(
						'Too many bytes',
						new AppError(
							'DOWNLOAD_CHANGED_UPSTREAM',
							`${shard.path} is larger on the server than the Hub says; it was started over.`
						)
					);
				hasher.update(part);
				await writer.write(part);
				position += part.byteLength;
				chunk = chunk.subarray(part.byteLength);
				if (writer.bytes === segmentBytes) await seal();
				task.progress(position);
			}
		}
		if (position < shard.size) throw new RetryableError('The connection ended early');
		await seal();
		await settle();
	} catch (error) {
		// Keep what arrived intact (cut connection, pause): the hash covers exactly those bytes.
		// (Unless the browser fetches the rest from the last commit: then the tail is dropped.)
		const keep = (signal.aborted && !dropsUncommitted(signal)) || isRetryable(error);
		const current = writer as SegmentWriter | null;
		writer = null;
		let kept = false;
		if (keep && !behindFailed) {
			try {
				await settle();
				if (current && current.bytes > 0) {
					writer = current;
					await seal();
					await settle();
				}
				kept = true;
			} catch {
				// The earlier segments could not be committed: drop the rest.
			}
		}
		if (!kept) {
			await current?.abort();
			await Promise.allSettled(behind.splice(0));
		}
		reader.releaseLock();
		await body.cancel().catch(() => {});
		if (signal.aborted) throw abortError();
		throw error;
	}
}
