import { expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { DownloadEngine } from '../src/lib/downloads/engine';
import { resolveUrl } from '../src/lib/downloads/http';
import { idbJobStore } from '../src/lib/downloads/job-store';
import { DEFAULT_DOWNLOAD_SETTINGS, type DownloadRequest } from '../src/lib/downloads/types';
import { deleteLocalModel, registerLocalModel } from '../src/lib/storage/models';
import { opfsRoot } from '../src/lib/storage/opfs';

/**
 * Download throughput through the whole pipeline (the engine the service worker runs: fetch with
 * the CDN redirect, OPFS segment writes, incremental SHA-256, verify, register) against raw fetch
 * of the same bytes read to nowhere, in one Chromium run, with the JS heap sampled throughout.
 */
const hubUrl = inject('benchHubUrl');
const repoId = inject('benchRepo');
const files = inject('benchFiles');
const MIB = 1024 * 1024;
const ROUNDS = 3;

interface Sampler {
	stop(): number;
}

/** Peak `usedJSHeapSize` (precise with --enable-precise-memory-info), sampled every 20 ms. */
function sampleHeap(): Sampler {
	const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
	let peak = memory?.usedJSHeapSize ?? 0;
	const timer = setInterval(() => {
		peak = Math.max(peak, memory?.usedJSHeapSize ?? 0);
	}, 20);
	return {
		stop() {
			clearInterval(timer);
			return Math.max(peak, memory?.usedJSHeapSize ?? 0);
		}
	};
}

async function treeOf(): Promise<{ revision: string; oid: Map<string, string> }> {
	const info = (await (await fetch(`${hubUrl}/api/models/${repoId}`)).json()) as { sha: string };
	const tree = (await (
		await fetch(`${hubUrl}/api/models/${repoId}/tree/${info.sha}?recursive=true`)
	).json()) as { path: string; lfs?: { oid: string } }[];
	return {
		revision: info.sha,
		oid: new Map(tree.flatMap((e) => (e.lfs ? [[e.path, e.lfs.oid] as const] : [])))
	};
}

async function rawFetch(url: string): Promise<{ seconds: number; bytes: number; heap: number }> {
	const heap = sampleHeap();
	const started = performance.now();
	const response = await fetch(url, { cache: 'no-store', credentials: 'omit' });
	const reader = response.body!.getReader();
	let bytes = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		bytes += value.byteLength;
	}
	return { seconds: (performance.now() - started) / 1000, bytes, heap: heap.stop() };
}

async function pipeline(
	request: DownloadRequest
): Promise<{ seconds: number; heap: number; state: string }> {
	const root = await opfsRoot();
	await root.removeEntry('models', { recursive: true }).catch(() => {});
	const engine = new DownloadEngine({
		hubUrl,
		authHeaders: async () => ({}),
		root: opfsRoot,
		jobs: idbJobStore('citrate-bench-download'),
		models: { register: registerLocalModel, remove: deleteLocalModel },
		emit: () => {},
		estimate: () => navigator.storage.estimate(),
		settings: { concurrency: 1 }
	});
	const heap = sampleHeap();
	const started = performance.now();
	const { id } = await engine.start(request);
	await engine.idle();
	const seconds = (performance.now() - started) / 1000;
	const job = (await engine.list()).find((j) => j.id === id)!;
	const peak = heap.stop();
	await engine.deleteModel(id);
	return { seconds, heap: peak, state: job.error ? `${job.state}: ${job.error.code}` : job.state };
}

test('download pipeline vs raw fetch', async () => {
	const { revision, oid } = await treeOf();
	const results = [];
	for (const file of files) {
		const sha256 = oid.get(file.path)!;
		const url = resolveUrl(hubUrl, repoId, revision, file.path);
		const request: DownloadRequest = {
			repoId,
			revision,
			variant: { key: file.path, label: file.path, files: [{ ...file, sha256 }] }
		};
		const raw = [];
		const full = [];
		for (let round = 0; round < ROUNDS; round++) {
			raw.push(await rawFetch(url));
			full.push(await pipeline(request));
		}
		for (const run of full) expect(run.state).toBe('done');
		for (const run of raw) expect(run.bytes).toBe(file.size);
		const best = (runs: { seconds: number }[]) => Math.min(...runs.map((r) => r.seconds));
		const rawMiBs = file.size / MIB / best(raw);
		const pipelineMiBs = file.size / MIB / best(full);
		results.push({
			file: file.path,
			sizeMiB: file.size / MIB,
			rawFetchMiBs: Number(rawMiBs.toFixed(1)),
			pipelineMiBs: Number(pipelineMiBs.toFixed(1)),
			ratio: Number((pipelineMiBs / rawMiBs).toFixed(3)),
			peakHeapMiB: {
				rawFetch: Number((Math.max(...raw.map((r) => r.heap)) / MIB).toFixed(1)),
				pipeline: Number((Math.max(...full.map((r) => r.heap)) / MIB).toFixed(1))
			},
			runsSeconds: {
				rawFetch: raw.map((r) => Number(r.seconds.toFixed(2))),
				pipeline: full.map((r) => Number(r.seconds.toFixed(2)))
			}
		});
	}
	const largest = results[results.length - 1]!;
	const result = {
		benchmark: 'download',
		date: new Date().toISOString(),
		userAgent: navigator.userAgent,
		where: 'page (the service worker runs the same DownloadEngine class)',
		pipeline:
			'fetch resolve → 302 → CDN, OPFS createWritable segments, hash-wasm SHA-256 saved per segment, verify vs lfs.oid, register',
		maxSegmentMiB: DEFAULT_DOWNLOAD_SETTINGS.segmentBytes / MIB,
		target: { ratio: 0.6 },
		ratio: largest.ratio,
		meetsTarget: largest.ratio >= 0.6,
		results
	};
	await commands.writeFile(
		'bench/results/download.json',
		JSON.stringify(result, null, '\t') + '\n'
	);
	console.log(
		results
			.map(
				(r) =>
					`${r.file}: raw fetch ${r.rawFetchMiBs} MiB/s, full pipeline ${r.pipelineMiBs} MiB/s, ratio ${r.ratio}; peak JS heap ${r.peakHeapMiB.pipeline} MiB (raw fetch ${r.peakHeapMiB.rawFetch} MiB)`
			)
			.join('\n')
	);
});
