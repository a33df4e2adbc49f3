/** Messages between the bench page and its service worker (`download-sw.ts`). */
import type { DownloadRequest } from '../src/lib/downloads/types';

export const BENCH_CHANNEL = 'citrate-bench-background';

/** What the page asks; each answers `{ ok: true, value }` or `{ ok: false, error }`. */
export type BenchCommand =
	| { op: 'start'; request: DownloadRequest }
	| { op: 'prepare'; id: string }
	| { op: 'started'; id: string }
	| { op: 'failed'; id: string; message: string }
	| { op: 'deleteModel'; id: string }
	| { op: 'list' };

/** What the worker reports: the browser brought every byte, or a job reached an end state. */
export type BenchReport =
	| { type: 'fetched'; id: string; at: number }
	| { type: 'ended'; id: string; state: string; error: string | null; at: number };
