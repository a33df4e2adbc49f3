/**
 * What `npm run bench:p2p` moves and who serves it: the model file, the node's disk blockstore
 * filled with its blocks, and Citrate nodes (`scripts/ipfs-node`) started inside the namespace.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FsBlockstore } from 'blockstore-fs';
import { importer } from 'ipfs-unixfs-importer';
import { kuboImporterOptions } from '../src/lib/ipfs/importer';
import { makeScriptedLlamaGguf } from '../tests/fixtures/gguf';
import type { Netns, Server } from '../tests/p2p/netns';

const MIB = 1024 * 1024;

/** A scripted chat GGUF padded with random bytes to `sizeMiB` (every block distinct). */
export async function writeModel(
	dir: string,
	name: string,
	sizeMiB: number
): Promise<{ path: string; size: number }> {
	const gguf = makeScriptedLlamaGguf({ reply: 'Hello from the bench.', name: 'P2P bench' });
	const size = sizeMiB * MIB;
	if (gguf.byteLength >= size) throw new Error(`BENCH_P2P_MIB=${sizeMiB} is too small`);
	const path = join(dir, name);
	await writeFile(path, Buffer.concat([gguf, randomBytes(size - gguf.byteLength)]));
	return { path, size };
}

/** The model's blocks put straight into a node repo's disk blockstore (what the node serves). */
export async function seedNodeRepo(repo: string, modelPath: string): Promise<string> {
	const blockstore = new FsBlockstore(join(repo, 'blocks'));
	await blockstore.open();
	try {
		let root: string | undefined;
		for await (const entry of importer(
			[{ content: new Uint8Array(await readFile(modelPath)) }],
			blockstore,
			kuboImporterOptions()
		))
			root = entry.cid.toString();
		if (!root) throw new Error('nothing imported');
		return root;
	} finally {
		await blockstore.close();
	}
}

export interface NodeInfo {
	server: Server;
	peerId: string;
	ws: string;
}

export async function startNode(ns: Netns, repo: string, relayNoLimit: boolean): Promise<NodeInfo> {
	const args = ['tsx', 'scripts/ipfs-node/cli.ts', '--repo', repo, '--host', '127.0.0.1'];
	args.push('--ws-port', '0', '--tcp-port', '0', '--api-port', '0');
	if (relayNoLimit) args.push('--relay-no-limit');
	const server = await ns.start('npx', args, /Pinning Service API: /);
	const ws = /listening on (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/\w+)/.exec(server.output());
	const id = /Citrate node (\w+)/.exec(server.output());
	if (!ws || !id) throw new Error(`the node printed no WebSockets address:\n${server.output()}`);
	return { server, peerId: id[1]!, ws: ws[1]! };
}
