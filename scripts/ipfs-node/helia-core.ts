/**
 * Helia's core node (the class `createHeliaLight()` makes) with libp2p added,
 * loaded without `helia`'s and `@helia/libp2p`'s entry modules: those also
 * import Helia's HTTP block broker and libp2p defaults, whose undici 8 needs
 * Node ≥ 22.19 just to load. The core class and Helia's libp2p router need
 * nothing past Node 20, so we import those two files by path (package
 * `exports` do not list them; the import is pinned to helia 7 / @helia/libp2p
 * 2's layout and fails loudly at start if that moves), and do here what
 * `withLibp2pLight` does: a persistent key from the datastore, `createLibp2p`,
 * the libp2p router, start and stop with Helia.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadOrCreateSelfKey } from '@libp2p/config';
import { createLibp2p, type Libp2pOptions } from 'libp2p';
import type { Helia, Router } from '@helia/interface';
import type { Libp2p, ServiceMap } from '@libp2p/interface';
import type { HeliaInit } from 'helia';

export type HeliaNode = Helia & { libp2p: Libp2p };

/** `node_modules/<pkg>/dist/src/<file>`, found the way Node looks up packages (not every runner has `import.meta.resolve`). */
async function importFrom(pkg: string, file: string): Promise<Record<string, unknown>> {
	for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
		const path = join(dir, 'node_modules', pkg, 'dist', 'src', file);
		if (existsSync(path))
			return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
		if (dirname(dir) === dir)
			throw new Error(`${pkg}/dist/src/${file} not found: update scripts/ipfs-node/helia-core.ts`);
	}
}

export async function createHeliaNode(
	init: HeliaInit,
	libp2pOptions: Libp2pOptions<ServiceMap>
): Promise<HeliaNode> {
	const [core, version, routing] = await Promise.all([
		importFrom('helia', 'helia.js'),
		importFrom('helia', 'version.js'),
		importFrom('@helia/libp2p', 'routing.js')
	]);
	const HeliaClass = core.Helia as new (i: HeliaInit & { name: string; version: string }) => Helia;
	const libp2pRouting = routing.libp2pRouting as (l: Libp2p) => Router;
	if (typeof HeliaClass !== 'function' || typeof libp2pRouting !== 'function') {
		throw new Error('helia / @helia/libp2p layout changed: update scripts/ipfs-node/helia-core.ts');
	}
	const helia = new HeliaClass({
		name: version.name as string,
		version: version.version as string,
		...init
	});
	let libp2p: Libp2p | undefined;
	Object.defineProperty(helia, 'libp2p', {
		enumerable: true,
		get() {
			if (libp2p === undefined) throw new Error('Helia is not started');
			return libp2p;
		}
	});
	helia.addMixin({
		name: 'libp2p',
		async start(h) {
			if (libp2p === undefined) {
				libp2p = await createLibp2p({
					...libp2pOptions,
					privateKey: libp2pOptions.privateKey ?? (await loadOrCreateSelfKey(h.datastore)),
					datastore: h.datastore,
					nodeInfo: { name: 'citrate-node', version: version.version as string }
				});
			}
			if (!helia.hasRouter('libp2p-router')) helia.addRouter(libp2pRouting(libp2p));
			await libp2p.start();
		},
		async stop() {
			await libp2p?.stop();
		}
	});
	return helia as unknown as HeliaNode;
}
