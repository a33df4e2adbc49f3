/**
 * Global setup of `npm run bench:download`: generates GGUF-named files (128 MiB, 512 MiB, 1 GiB,
 * once, in the OS temp folder) in an emulator repo and starts the Hub emulator over them.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startHubEmulator } from '../tests/hub-emulator/server';

const MIB = 1024 * 1024;
export const BENCH_REPO = 'citrate-bench/download-GGUF';
/** File sizes: a small one, then the large ones (`BENCH_DOWNLOAD_MIB=512,1024`); the last is the headline. */
const SIZES_MIB = [
	128,
	...(process.env.BENCH_DOWNLOAD_MIB ?? '512,1024').split(',').map((mib) => Number(mib))
];

async function generate(path: string, size: number): Promise<void> {
	if (existsSync(path) && (await stat(path)).size === size) return;
	const block = Buffer.alloc(4 * MIB);
	let x = 0x9e3779b9;
	for (let i = 0; i < block.length; i += 4) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		block.writeInt32LE(x | 0, i);
	}
	const handle = await open(path, 'w');
	try {
		for (let offset = 0, n = 0; offset < size; offset += block.length, n++) {
			block.writeUInt32LE(n, 0); // every block differs
			await handle.write(block, 0, Math.min(block.length, size - offset));
		}
	} finally {
		await handle.close();
	}
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const root = join(tmpdir(), 'citrate-bench-download');
	const repoDir = join(root, BENCH_REPO);
	await mkdir(repoDir, { recursive: true });
	await writeFile(join(repoDir, 'repo.json'), JSON.stringify({ tags: ['gguf'] }));
	await writeFile(join(repoDir, 'README.md'), '# Download benchmark\n');
	const files = [];
	for (const mib of SIZES_MIB) {
		const path = `bench-${mib}MiB.gguf`;
		await generate(join(repoDir, path), mib * MIB);
		files.push({ path, size: mib * MIB });
	}
	const hub = await startHubEmulator({ port: 0, cdnPort: 0, reposDir: root });
	project.provide('benchHubUrl', hub.hubUrl);
	project.provide('benchRepo', BENCH_REPO);
	project.provide('benchFiles', files);
	// Keep a fingerprint of the generator in the results (bytes are deterministic).
	project.provide(
		'benchGenerator',
		createHash('sha256').update(setup.toString()).digest('hex').slice(0, 12)
	);
	return async () => {
		await hub.close();
		const profile = process.env.CITRATE_BENCH_PROFILE;
		if (profile) await rm(profile, { recursive: true, force: true });
	};
}

declare module 'vitest' {
	export interface ProvidedContext {
		benchHubUrl: string;
		benchRepo: string;
		benchFiles: { path: string; size: number }[];
		benchGenerator: string;
	}
}
