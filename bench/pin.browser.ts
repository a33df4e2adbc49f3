import { createSHA256 } from 'hash-wasm';
import { test } from 'vitest';
import { commands } from 'vitest/browser';
import { closeIpfs, isPinned, pinFile, unpin } from '../src/lib/ipfs';
import { storeModelFile } from '../src/lib/storage';

/**
 * Pin throughput (import as UnixFS with kubo settings into the OPFS-backed blockstore, in the
 * Helia worker) against SHA-256 throughput (hash-wasm) over the same OPFS bytes, in one run.
 */
const SIZE = Number(import.meta.env.VITE_BENCH_PIN_MIB ?? 256) * 1024 * 1024;
const RUNS = 3;
const target = { repoId: 'bench/pin', revision: 'r', path: 'bench-256MiB.gguf' };

function randomStream(size: number): ReadableStream<Uint8Array> {
	let produced = 0;
	let state = 0x9e3779b9;
	return new ReadableStream({
		pull(controller) {
			if (produced >= size) return controller.close();
			const words = new Uint32Array(Math.min(4 * 1024 * 1024, size - produced) / 4);
			for (let index = 0; index < words.length; index++) {
				state ^= state << 13;
				state ^= state >>> 17;
				state ^= state << 5;
				words[index] = state;
			}
			produced += words.byteLength;
			controller.enqueue(new Uint8Array(words.buffer));
		}
	});
}

async function sha256Of(file: Blob): Promise<string> {
	const hasher = await createSHA256();
	hasher.init();
	const slice = 4 * 1024 * 1024;
	for (let at = 0; at < file.size; at += slice)
		hasher.update(new Uint8Array(await file.slice(at, at + slice).arrayBuffer()));
	return hasher.digest('hex');
}

async function openStored(): Promise<File> {
	let dir = await navigator.storage.getDirectory();
	for (const name of ['models', 'bench', 'pin', 'r', `${target.path}.parts`])
		dir = await dir.getDirectoryHandle(name);
	const parts: File[] = [];
	for (let index = 0; ; index++) {
		try {
			parts.push(await (await dir.getFileHandle(String(index).padStart(5, '0'))).getFile());
		} catch {
			break;
		}
	}
	return new File(parts, target.path);
}

const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

test('bench: pin vs SHA-256', async () => {
	await storeModelFile(target, randomStream(SIZE));
	const file = await openStored();
	if (file.size !== SIZE) throw new Error(`stored ${file.size} bytes, expected ${SIZE}`);

	// Warm up: start the Helia worker (module load, Helia start) and both hash paths, untimed.
	await isPinned('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku');
	await sha256Of(file.slice(0, 32 * 1024 * 1024));

	const shaRuns: number[] = [];
	const pinRuns: number[] = [];
	let digest = '';
	let cid = '';
	for (let run = 0; run < RUNS; run++) {
		let start = performance.now();
		digest = await sha256Of(file);
		shaRuns.push(mibps(SIZE, performance.now() - start));

		start = performance.now();
		cid = (await pinFile({ model: target, sha256: digest })).cid;
		pinRuns.push(mibps(SIZE, performance.now() - start));
		await unpin(cid);
	}
	closeIpfs();
	const best = (values: number[]) => Math.max(...values);
	const median = (values: number[]) =>
		[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
	const result = {
		fileBytes: SIZE,
		runs: RUNS,
		sha256MiBps: {
			median: round(median(shaRuns)),
			best: round(best(shaRuns)),
			all: shaRuns.map(round)
		},
		pinMiBps: {
			median: round(median(pinRuns)),
			best: round(best(pinRuns)),
			all: pinRuns.map(round)
		},
		ratio: round(median(pinRuns) / median(shaRuns)),
		target: 0.5,
		meetsTarget: median(pinRuns) / median(shaRuns) >= 0.5,
		cid,
		sha256: digest,
		settings:
			'CIDv1, raw leaves, 262144-byte chunks, balanced 174 (kubo --cid-version=1 --raw-leaves)',
		hashImplementation: {
			sha256: 'hash-wasm createSHA256, main thread, 4 MiB OPFS slices',
			pin: 'Helia worker: WebCrypto SHA-256 per 256 KiB leaf, leaves located not stored'
		},
		userAgent: navigator.userAgent,
		hardwareConcurrency: navigator.hardwareConcurrency,
		date: new Date().toISOString()
	};
	await commands.writeFile('bench/results/pin.json', JSON.stringify(result, null, '\t') + '\n');
	console.log(
		`pin: ${result.pinMiBps.median} MiB/s, SHA-256 (hash-wasm): ${result.sha256MiBps.median} MiB/s, ratio ${result.ratio} (target ≥ 0.5) over ${SIZE / 1024 / 1024} MiB × ${RUNS} runs`
	);
});

function round(value: number): number {
	return Math.round(value * 100) / 100;
}
