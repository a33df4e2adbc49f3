import { AppError } from '../errors';
import { SegmentStore } from '../storage/opfs';
import { isRetryable, sleep } from './abort';
import { writeBodyToSegments } from './body-to-segments';
import {
	RetryableError,
	errorForResponse,
	parseContentRange,
	type ContentRange,
	resolveUrl,
	strongEtag
} from './http';
import { retryDelay } from './retry';
import { skipBytes } from './skip-bytes';
import { RestartFile, shardHasher, type ShardTask } from './shard-task';

/**
 * The download of one file: `Range` GET of `resolve/{commit}/{path}` (the redirect to the CDN is
 * followed by fetch; auth headers go to the Hub origin only), retried with backoff, started over
 * when the file changed upstream, then verified against the published SHA-256.
 */

const MAX_RESTARTS = 2;

export async function downloadShard(task: ShardTask): Promise<void> {
	const { job, shard, signal, settings } = task;
	const store = new SegmentStore(await task.root(), job.repoId, job.revision, shard.path);
	// Segments beyond the saved progress were written but never recorded: drop them. Missing
	// bytes (storage cleared under us) mean starting the file over.
	await store.truncate(shard.segments);
	const sizes = await store.segmentSizes();
	const onDisk = sizes.reduce((sum, size) => sum + size, 0);
	if (sizes.length !== shard.segments || onDisk !== shard.committed) {
		await store.truncate(0);
		task.reset();
		shard.state = 'downloading';
	}
	let attempt = 0;
	let restarts = 0;
	while (shard.committed < shard.size || shard.hashState === null) {
		const before = shard.committed;
		try {
			await fetchOnce(task, store);
		} catch (error) {
			if (signal.aborted) throw error;
			if (error instanceof RestartFile) {
				if (++restarts > MAX_RESTARTS)
					throw (
						error.notice ??
						new AppError('DOWNLOAD_CHANGED_UPSTREAM', `${shard.path} keeps changing upstream.`)
					);
				if (error.notice) task.notice(error.notice);
				await store.truncate(0);
				task.reset();
				shard.state = 'downloading';
				await task.save();
				continue;
			}
			if (!isRetryable(error)) throw error;
			if (shard.committed > before) attempt = 0;
			if (++attempt > settings.maxAttempts)
				throw new AppError(
					'DOWNLOAD_NETWORK',
					`The download of ${shard.path} keeps failing (${error instanceof Error ? error.message : String(error)}). Check the connection and retry.`,
					{ cause: error }
				);
			const hint = error instanceof RetryableError ? error : null;
			const delay = retryDelay(hint, attempt, settings, task.random);
			task.waiting({ reason: hint?.kind ?? 'network', retryAt: task.now() + delay });
			await sleep(delay, signal);
		}
	}
	await verifyShard(task, store);
}

async function verifyShard(task: ShardTask, store: SegmentStore): Promise<void> {
	const { shard } = task;
	shard.state = 'verifying';
	task.verifying();
	const actual = (await shardHasher(task)).digest('hex');
	if (shard.sha256 !== null && actual !== shard.sha256.toLowerCase()) {
		await store.remove();
		task.reset();
		shard.state = 'failed';
		throw new AppError(
			'DOWNLOAD_HASH_MISMATCH',
			`${shard.path} did not match the SHA-256 published on the Hub, so it was deleted. Retry the download; if it fails again, the file on the server may be corrupt.`,
			{ details: { path: shard.path, expected: shard.sha256, actual } }
		);
	}
	shard.actualSha256 = actual;
	shard.state = 'done';
	await task.save();
	task.changed();
}

/** One request for the rest of a file. Throws on anything short of the whole file. */
async function fetchOnce(task: ShardTask, store: SegmentStore): Promise<void> {
	const { job, shard, signal } = task;
	if (shard.committed === shard.size && shard.hashState === null && shard.size > 0)
		throw new RestartFile('Progress without hash state');
	if (shard.committed === shard.size && shard.size === 0) {
		// Nothing to fetch: an empty file has the empty hash state.
		shard.hashState = (await shardHasher(task)).save();
		await task.save();
		return;
	}
	const url = resolveUrl(task.hubUrl, job.repoId, job.revision, shard.path);
	const headers: Record<string, string> = { ...(await task.authHeaders(url)) };
	if (shard.committed > 0) {
		headers['Range'] = `bytes=${shard.committed}-`;
		if (shard.etag) headers['If-Range'] = shard.etag;
	}
	// A request that brings nothing for `stallTimeoutMs` (a network gone silent) is dropped and
	// retried like a cut connection, keeping what arrived.
	const attempt = new AbortController();
	const stalled = new RetryableError('Nothing arrived for a while', null, { kind: 'network' });
	const stop = () => attempt.abort(signal.reason);
	signal.addEventListener('abort', stop, { once: true });
	let lastByte = task.now();
	const watchdog = setInterval(
		() => {
			if (task.now() - lastByte >= task.settings.stallTimeoutMs) attempt.abort(stalled);
		},
		Math.min(1000, task.settings.stallTimeoutMs)
	);
	const watched: ShardTask = {
		...task,
		signal: attempt.signal,
		progress: (position) => {
			lastByte = task.now();
			task.progress(position);
		}
	};
	try {
		await fetchBody(watched, store, url, headers);
	} catch (error) {
		if (attempt.signal.aborted && !signal.aborted) throw stalled;
		throw error;
	} finally {
		clearInterval(watchdog);
		signal.removeEventListener('abort', stop);
	}
}

async function fetchBody(
	task: ShardTask,
	store: SegmentStore,
	url: string,
	headers: Record<string, string>
): Promise<void> {
	const { job, shard, signal } = task;
	const adopted = task.takeResponse();
	const response =
		adopted?.response ??
		(await task.fetch(url, {
			headers,
			signal,
			cache: 'no-store',
			credentials: 'omit',
			redirect: 'follow'
		}));
	if (!response.ok) {
		await response.body?.cancel().catch(() => {});
		if (response.status === 416) throw new RestartFile('Range not satisfiable');
		throw errorForResponse(response, job.repoId, task.now());
	}
	const etag = strongEtag(response.headers.get('etag'));
	const changed = (what: string) =>
		new AppError(
			'DOWNLOAD_CHANGED_UPSTREAM',
			`${shard.path} changed on the server during the download (${what}); it was started over.`,
			{ details: { path: shard.path } }
		);
	let skip = 0;
	if (response.status === 206) {
		const range =
			parseContentRange(response.headers.get('content-range')) ??
			(adopted ? askedRange(adopted.start, response, shard.size) : null);
		// Starting before the committed byte (a background fetch asked for by a page that went
		// away, from the progress it last saw): what is saved already is passed over.
		if (range && range.start < shard.committed) skip = shard.committed - range.start;
		if (!range || range.start > shard.committed) {
			await response.body?.cancel().catch(() => {});
			throw new RestartFile('Unexpected Content-Range');
		}
		if (range.total !== null && range.total !== shard.size) {
			await response.body?.cancel().catch(() => {});
			throw new RestartFile('Size changed', changed('new size'));
		}
		if (shard.etag && etag && etag !== shard.etag) {
			await response.body?.cancel().catch(() => {});
			throw new RestartFile('ETag changed', changed('new ETag'));
		}
	} else if (shard.committed > 0) {
		// A 200 to a Range request: the whole file again. Start over with this very response.
		const notice = shard.etag && etag && etag !== shard.etag ? changed('new ETag') : null;
		if (notice) task.notice(notice);
		await store.truncate(0);
		task.reset();
		shard.state = 'downloading';
		await task.save();
	}
	if (etag) shard.etag = etag;
	if (!response.body) throw new RetryableError('Empty response body');
	await writeBodyToSegments(task, store, skipBytes(response.body, skip));
}

/**
 * The range a Background Fetch response carries. The browser keeps only a record's safelisted
 * headers (measured in Chromium 156: a 206 with `Content-Length` alone, no `Content-Range` nor
 * `ETag`), so its body is what was asked: from `start` to the end, when its length agrees.
 */
function askedRange(start: number, response: Response, size: number): ContentRange | null {
	const length = response.headers.get('content-length');
	if (length !== null && Number(length) !== size - start) return null;
	return { start, end: size - 1, total: size };
}
