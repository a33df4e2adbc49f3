import { expect, inject, test } from 'vitest';
import { commands } from 'vitest/browser';
import { DownloadEngine, SEGMENTS_BEHIND } from '../src/lib/downloads/engine';
import { resolveUrl } from '../src/lib/downloads/http';
import { idbJobStore } from '../src/lib/downloads/job-store';
import { segmentBytesFor } from '../src/lib/downloads/jobs';
import { DEFAULT_DOWNLOAD_SETTINGS, type DownloadRequest } from '../src/lib/downloads/types';
import { deleteLocalModel, registerLocalModel } from '../src/lib/storage/models';
import { opfsRoot, SegmentStore, type SegmentWriter } from '../src/lib/storage/opfs';
import { createSHA256 } from 'hash-wasm';
import type { MemoryGrowth } from './download.config';

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
	stop(): Promise<MemoryGrowth>;
}

/**
 * Peak growth of the page's JS heap over what a full GC leaves at the start (read over CDP every
 * 20 ms; garbage not yet collected counts too, so it is an upper bound of what the run keeps).
 */
async function sampleHeap(): Promise<Sampler> {
	await commands.heapStart();
	return { stop: () => commands.heapStop() };
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

async function rawFetch(
	url: string
): Promise<{ seconds: number; bytes: number; heap: MemoryGrowth }> {
	const heap = await sampleHeap();
	const started = performance.now();
	const response = await fetch(url, { cache: 'no-store', credentials: 'omit' });
	const reader = response.body!.getReader();
	let bytes = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		bytes += value.byteLength;
	}
	return { seconds: (performance.now() - started) / 1000, bytes, heap: await heap.stop() };
}

/** Busy cores (of all `cores`, whoever uses them) between `start()` and `stop()`. */
async function sampleCpu(): Promise<{ stop(): Promise<number> }> {
	const before = await commands.cpuTimes();
	return {
		async stop() {
			const after = await commands.cpuTimes();
			return ((after.busy - before.busy) / (after.total - before.total)) * after.cores;
		}
	};
}

/** Cores kept busy by everything else (test runner, dev server, system) while the page idles. */
async function idleCores(): Promise<number> {
	const cpu = await sampleCpu();
	await new Promise((resolve) => setTimeout(resolve, 2000));
	return cpu.stop();
}

/** Runs `run` and reports its seconds and the busy cores (whole machine) meanwhile. */
async function timed<T extends { seconds: number }>(
	run: () => Promise<T>
): Promise<T & { cores: number }> {
	const cpu = await sampleCpu();
	const result = await run();
	return { ...result, cores: await cpu.stop() };
}

/**
 * WebCrypto's SHA-256 over one in-memory buffer (BoringSSL, with the CPU's SHA instructions where
 * present): the speed an incremental hash could have if the browser offered one. It does not:
 * `digest` takes the whole input at once, so the engine cannot use it on multi-GB files.
 */
async function webCryptoSha256(): Promise<number> {
	const bytes = new Uint8Array(64 * MIB);
	for (let at = 0; at < bytes.byteLength; at += 65536)
		crypto.getRandomValues(bytes.subarray(at, at + 65536));
	await crypto.subtle.digest('SHA-256', bytes);
	let best = Infinity;
	for (let i = 0; i < 3; i++) {
		const started = performance.now();
		await crypto.subtle.digest('SHA-256', bytes);
		best = Math.min(best, performance.now() - started);
	}
	return 64 / (best / 1000);
}

/**
 * Writes a stream of bytes into segment files as the engine does (`SegmentWriter`, segments of
 * the engine's size, up to `SEGMENTS_BEHIND` closing behind the one being written).
 */
class SegmentedWrites {
	readonly #store: SegmentStore;
	readonly #segmentBytes: number;
	readonly #behind: Promise<void>[] = [];
	#writer: SegmentWriter | null = null;
	#index = 0;

	constructor(store: SegmentStore, segmentBytes: number) {
		this.#store = store;
		this.#segmentBytes = segmentBytes;
	}

	async write(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
		let chunk = bytes;
		while (chunk.byteLength > 0) {
			const writer = (this.#writer ??= await this.#store.openSegment(this.#index++));
			const part = chunk.subarray(0, this.#segmentBytes - writer.bytes);
			await writer.write(part);
			chunk = chunk.subarray(part.byteLength);
			if (writer.bytes === this.#segmentBytes) {
				this.#behind.push(writer.commit());
				this.#writer = null;
				while (this.#behind.length > SEGMENTS_BEHIND) await this.#behind.shift();
			}
		}
	}

	/** Commits the last segment and waits for every commit. */
	async finish(): Promise<void> {
		if (this.#writer) this.#behind.push(this.#writer.commit());
		this.#writer = null;
		await Promise.all(this.#behind.splice(0));
	}
}

/** A fresh hasher and a fresh segment file (under `folder`) to write `size` bytes into. */
async function freshTarget(size: number, folder: string, file: string) {
	const hasher = await createSHA256();
	hasher.init();
	const root = await opfsRoot();
	await root.removeEntry('models', { recursive: true }).catch(() => {});
	const store = new SegmentStore(root, folder, 'main', file);
	const segmentBytes = segmentBytesFor(size, DEFAULT_DOWNLOAD_SETTINGS.segmentBytes);
	return { hasher, store, writes: new SegmentedWrites(store, segmentBytes) };
}

/**
 * Part of the pipeline over the network (the same streamed fetch as the engine): SHA-256 only,
 * or OPFS segment writes only (`SegmentedWrites`, as the engine writes them).
 */
async function partial(url: string, size: number, hash: boolean, write: boolean): Promise<number> {
	const { hasher, store, writes } = await freshTarget(size, 'bench/partial', 'partial.bin');
	const started = performance.now();
	const reader = (await fetch(url, { cache: 'no-store', credentials: 'omit' })).body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		const chunk = value as Uint8Array<ArrayBuffer>;
		if (hash) hasher.update(chunk);
		if (write) await writes.write(chunk);
	}
	await writes.finish();
	hasher.digest('hex');
	const seconds = (performance.now() - started) / 1000;
	await store.remove();
	return seconds;
}

/**
 * The two stages on their own, over the same bytes (fetched once per 8 MiB window, so memory stays
 * flat), only the stage timed: SHA-256 of every byte, and OPFS writes of every byte as the engine
 * writes them. A serial loop is bounded by 1 / (1/hash + 1/write); an overlapped one by the slower
 * stage, and by the CPU (two cores here, shared with the network stack and the server).
 */
async function stages(url: string, size: number): Promise<{ hash: number; write: number }> {
	const window = 8 * MIB;
	const { hasher, store, writes } = await freshTarget(size, 'bench/stages', 'write-only.bin');
	let hashMs = 0;
	let writeMs = 0;
	for (let offset = 0; offset < size; offset += window) {
		const end = Math.min(size, offset + window) - 1;
		const response = await fetch(url, {
			cache: 'no-store',
			credentials: 'omit',
			headers: { Range: `bytes=${offset}-${end}` }
		});
		const bytes = new Uint8Array(await response.arrayBuffer());
		let started = performance.now();
		for (let at = 0; at < bytes.byteLength; at += 256 * 1024)
			hasher.update(bytes.subarray(at, at + 256 * 1024));
		hashMs += performance.now() - started;
		started = performance.now();
		await writes.write(bytes);
		if (offset + window >= size) await writes.finish();
		writeMs += performance.now() - started;
	}
	hasher.digest('hex');
	await store.remove();
	return { hash: size / MIB / (hashMs / 1000), write: size / MIB / (writeMs / 1000) };
}

async function pipeline(
	request: DownloadRequest
): Promise<{ seconds: number; heap: MemoryGrowth; state: string }> {
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
	const heap = await sampleHeap();
	const started = performance.now();
	const { id } = await engine.start(request);
	await engine.idle();
	const seconds = (performance.now() - started) / 1000;
	const job = (await engine.list()).find((j) => j.id === id)!;
	const peak = await heap.stop();
	await engine.deleteModel(id);
	return { seconds, heap: peak, state: job.error ? `${job.state}: ${job.error.code}` : job.state };
}

const round1 = (value: number, digits = 1) => Number(value.toFixed(digits));

test('download pipeline vs raw fetch', async () => {
	const { revision, oid } = await treeOf();
	const idle = await idleCores();
	const disk = await commands.diskWriteCost();
	const webCryptoMiBs = await webCryptoSha256();
	const results = [];
	for (const file of files) {
		const sha256 = oid.get(file.path)!;
		const url = resolveUrl(hubUrl, repoId, revision, file.path);
		const request: DownloadRequest = {
			repoId,
			revision,
			variant: { key: file.path, label: file.path, files: [{ ...file, sha256 }] }
		};
		const raw: { seconds: number; bytes: number; heap: MemoryGrowth; cores: number }[] = [];
		const full: { seconds: number; heap: MemoryGrowth; state: string; cores: number }[] = [];
		const fetchHash: { seconds: number; cores: number }[] = [];
		const fetchWrite: { seconds: number; cores: number }[] = [];
		const alone = [];
		const partialRun = (hash: boolean, write: boolean) => async () => ({
			seconds: await partial(url, file.size, hash, write)
		});
		for (let round = 0; round < ROUNDS; round++) {
			raw.push(await timed(() => rawFetch(url)));
			full.push(await timed(() => pipeline(request)));
			fetchHash.push(await timed(partialRun(true, false)));
			fetchWrite.push(await timed(partialRun(false, true)));
			alone.push(await stages(url, file.size));
		}
		for (const run of full) expect(run.state).toBe('done');
		for (const run of raw) expect(run.bytes).toBe(file.size);
		const rate = (seconds: number) => file.size / MIB / seconds;
		const best = (runs: { seconds: number }[]) => rate(Math.min(...runs.map((r) => r.seconds)));
		const rawMiBs = best(raw);
		const pipelineMiBs = best(full);
		const hashOnly = Math.max(...alone.map((a) => a.hash));
		const writeOnly = Math.max(...alone.map((a) => a.write));
		/** CPU ms per MiB of the fastest run of a kind (busy cores above idle × its seconds). */
		const cpuPerMiB = (runs: { seconds: number; cores: number }[]) => {
			const run = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
			return (Math.max(0, run.cores - idle) * run.seconds * 1000) / (file.size / MIB);
		};
		const rawCpu = cpuPerMiB(raw);
		const hashCpu = 1000 / hashOnly;
		// Whatever the overlap, the pipeline does the raw fetch's work, the hash's and the kernel's
		// disk writes, on `cores` cores: its speed cannot pass cores / (sum of the three).
		const cores = navigator.hardwareConcurrency;
		const ceilingMiBs = (cores * 1000) / (rawCpu + hashCpu + disk.cpuMsPerMiB);
		results.push({
			file: file.path,
			sizeMiB: file.size / MIB,
			rawFetchMiBs: round1(rawMiBs),
			pipelineMiBs: round1(pipelineMiBs),
			ratio: round1(pipelineMiBs / rawMiBs, 3),
			ratioPerRound: full.map((run, i) => round1(raw[i]!.seconds / run.seconds, 3)),
			fetchAndHashMiBs: round1(best(fetchHash)),
			fetchAndWriteMiBs: round1(best(fetchWrite)),
			hashOnlyMiBs: round1(hashOnly),
			writeOnlyMiBs: round1(writeOnly),
			serialBoundMiBs: round1(1 / (1 / hashOnly + 1 / writeOnly)),
			cpuMsPerMiB: {
				rawFetch: round1(rawCpu, 2),
				pipeline: round1(cpuPerMiB(full), 2),
				fetchAndHash: round1(cpuPerMiB(fetchHash), 2),
				fetchAndWrite: round1(cpuPerMiB(fetchWrite), 2),
				sha256: round1(hashCpu, 2),
				kernelDiskWrite: round1(disk.cpuMsPerMiB, 2)
			},
			ceilingMiBs: round1(ceilingMiBs),
			ceilingRatio: round1(ceilingMiBs / rawMiBs, 3),
			busyCores: {
				of: navigator.hardwareConcurrency,
				idle: round1(idle, 2),
				rawFetch: raw.map((r) => round1(r.cores, 2)),
				pipeline: full.map((r) => round1(r.cores, 2))
			},
			peakHeapGrowthMiB: {
				rawFetch: round1(Math.max(...raw.map((r) => r.heap.jsHeap)) / MIB),
				pipeline: round1(Math.max(...full.map((r) => r.heap.jsHeap)) / MIB)
			},
			peakArrayBufferGrowthMiB: {
				rawFetch: round1(Math.max(...raw.map((r) => r.heap.arrayBuffers)) / MIB),
				pipeline: round1(Math.max(...full.map((r) => r.heap.arrayBuffers)) / MIB)
			},
			runsSeconds: {
				rawFetch: raw.map((r) => round1(r.seconds, 2)),
				pipeline: full.map((r) => round1(r.seconds, 2)),
				fetchAndHash: fetchHash.map((r) => round1(r.seconds, 2)),
				fetchAndWrite: fetchWrite.map((r) => round1(r.seconds, 2))
			}
		});
	}
	const largest = results[results.length - 1]!;
	const result = {
		benchmark: 'download',
		date: new Date().toISOString(),
		userAgent: navigator.userAgent,
		where: 'page (the service worker runs the same DownloadEngine class)',
		pipeline: `fetch resolve → 302 → CDN, OPFS createWritable segments, hash-wasm SHA-256 saved per segment, verify vs lfs.oid, register; hashing overlaps in-flight writes, full segments close behind the reader (up to ${SEGMENTS_BEHIND})`,
		legend: {
			ratio: 'best pipeline / best raw fetch (ratioPerRound: each round, measured back to back)',
			fetchAndHashMiBs: 'streamed fetch + SHA-256, no disk',
			fetchAndWriteMiBs: 'streamed fetch + OPFS segment writes as the engine does them, no hash',
			hashOnlyMiBs: 'SHA-256 alone over the same bytes (in memory)',
			writeOnlyMiBs: 'OPFS segment writes alone over the same bytes (in memory), as the engine',
			serialBoundMiBs: 'a strictly serial read → hash → write loop: 1 / (1/hash + 1/write)',
			busyCores:
				'busy CPU cores (whole machine, os.cpus) during each run; idle: while the page waits',
			cpuMsPerMiB:
				'CPU ms per MiB of the fastest run (busy cores above idle × seconds); sha256 = 1000 / hashOnlyMiBs; kernelDiskWrite: the kernel writing a new file on the profile disk (Node, outside the browser)',
			ceilingMiBs:
				'cores / (rawFetch + sha256 + kernelDiskWrite CPU per MiB): no pipeline that fetches, hashes and stores every byte can pass it here, whatever the overlap',
			ceilingRatio: 'ceilingMiBs / rawFetchMiBs: the best ratio this machine allows',
			peakHeapGrowthMiB:
				'peak JS heap of the page (CDP Runtime.getHeapUsage, every 20 ms) above what a forced full GC left at the start of the run (uncollected garbage included)',
			peakArrayBufferGrowthMiB:
				'the same for array-buffer backing stores (fetched chunks, write batches, wasm memory)',
			webCryptoSha256MiBs:
				'crypto.subtle.digest over one 64 MiB buffer (SHA instructions): not incremental, so unusable for streaming'
		},
		maxSegmentMiB: DEFAULT_DOWNLOAD_SETTINGS.segmentBytes / MIB,
		machine: {
			cores: navigator.hardwareConcurrency,
			kernelDiskWrite: {
				cpuMsPerMiB: round1(disk.cpuMsPerMiB, 2),
				mibPerSecond: round1(disk.mibPerSecond)
			},
			webCryptoSha256MiBs: round1(webCryptoMiBs)
		},
		target: { ratio: 0.6 },
		ratio: largest.ratio,
		meetsTarget: largest.ratio >= 0.6,
		ceilingRatio: largest.ceilingRatio,
		targetReachableHere: largest.ceilingRatio >= 0.6,
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
					`${r.file}: raw fetch ${r.rawFetchMiBs} MiB/s, full pipeline ${r.pipelineMiBs} MiB/s, ratio ${r.ratio} (per round ${r.ratioPerRound.join(', ')}); fetch+hash ${r.fetchAndHashMiBs}, fetch+write ${r.fetchAndWriteMiBs}; alone: SHA-256 ${r.hashOnlyMiBs}, OPFS write ${r.writeOnlyMiBs} MiB/s (serial bound ${r.serialBoundMiBs}); busy cores raw ${r.busyCores.rawFetch.join('/')} pipeline ${r.busyCores.pipeline.join('/')} of ${r.busyCores.of} (idle ${r.busyCores.idle}); CPU ms/MiB raw ${r.cpuMsPerMiB.rawFetch}, pipeline ${r.cpuMsPerMiB.pipeline}, SHA-256 ${r.cpuMsPerMiB.sha256}, kernel disk write ${r.cpuMsPerMiB.kernelDiskWrite} → ceiling ${r.ceilingMiBs} MiB/s = ratio ${r.ceilingRatio}; peak growth: JS heap ${r.peakHeapGrowthMiB.pipeline} MiB, array buffers ${r.peakArrayBufferGrowthMiB.pipeline} MiB (raw fetch ${r.peakHeapGrowthMiB.rawFetch} / ${r.peakArrayBufferGrowthMiB.rawFetch} MiB)`
			)
			.join('\n') +
			`\nWebCrypto SHA-256 (one buffer, not incremental): ${round1(webCryptoMiBs)} MiB/s`
	);
});
