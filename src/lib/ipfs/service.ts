import { CarWriter } from '@ipld/car';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { AppError } from '../errors';
import { opfsRoot, partsPath } from '../storage/opfs';
import { assertBlock } from './blocks';
import { blockIndex, type PendingLeaf, type PinFileEntry, type PinRecord } from './block-index';
import { parseCid } from './cid';
import { FilestoreBlockstore } from './blockstore';
import { walkDag } from './dag';
import { removePin } from './remove-pin';
import { buildDirectory } from './directory';
import { PEER_FETCH_AHEAD } from './fetch-window';
import { fetchModel, variantLabel, type BlockSource } from './fetch-model';
import { GatewayClient } from './gateway-client';
import { importFile, readBlob } from './importer';
import { OpfsFiles } from './opfs-files';
import type {
	FetchByCidInput,
	FetchByCidResult,
	IpfsProgress,
	PinFileInput,
	PinInfo,
	PinResult,
	PinVariantResult
} from './types';

export type BlockLoader = (cid: CID, signal?: AbortSignal) => Promise<Uint8Array>;

export interface CallOptions {
	signal?: AbortSignal;
	onProgress?: (progress: IpfsProgress) => void;
}

/**
 * The IPFS node's operations: pin (import with kubo settings into the Filestore blockstore),
 * unpin (with garbage collection of what no other pin needs), export as CAR, and fetch by CID
 * from trustless gateways into OPFS. Runs in the Helia worker (see `worker.ts`).
 */
export class IpfsService {
	readonly files = new OpfsFiles();
	readonly blockstore = new FilestoreBlockstore(this.files);
	/** How blocks are read back: the blockstore, or a Helia node over it (see `worker.ts`). */
	#load: BlockLoader = (cid, signal) => this.blockstore.getBlock(cid, { signal });

	useLoader(load: BlockLoader): void {
		this.#load = load;
	}

	async pinFile(input: PinFileInput, options: CallOptions = {}): Promise<PinResult> {
		const entry = await this.#importAndCommit(input, undefined, options);
		return { cid: entry.cid, size: entry.size };
	}

	async pinVariant(inputs: PinFileInput[], options: CallOptions = {}): Promise<PinVariantResult> {
		if (inputs.length === 0) throw new AppError('IPFS_NOT_FOUND', 'A variant needs files to pin.');
		const entries: (PinFileEntry & { pending: Pending })[] = [];
		for (const input of inputs) entries.push(await this.#prepare(input, options));
		const directory = await buildDirectory(
			entries.map((entry) => ({
				name: entry.name,
				cid: CID.parse(entry.cid),
				dagSize: entry.dagSize
			}))
		);
		const directoryCid = directory.cid.toString();
		await this.#commitPending(
			entries.map((entry) => ({ ...entry, parent: directoryCid })),
			{
				cid: directoryCid,
				kind: 'directory',
				name: commonName(entries.map((entry) => entry.name)),
				size: entries.reduce((sum, entry) => sum + entry.size, 0),
				dagSize: directory.dagSize,
				files: entries.map(({ name, cid, size, dagSize }) => ({ name, cid, size, dagSize })),
				pinnedAt: Date.now()
			},
			new Map([[directoryCid, directory.bytes]])
		);
		return { cids: entries.map((entry) => entry.cid), directoryCid };
	}

	async isPinned(cid: string): Promise<boolean> {
		return (await blockIndex.getPin(parseCid(cid).toString())) !== undefined;
	}

	async listPins(): Promise<PinInfo[]> {
		return (await blockIndex.listPins()).map(toInfo);
	}

	/** Removes a pin (a directory's files too) and every block no other pin needs, at once. */
	async unpin(cid: string): Promise<void> {
		const removed = await removePin(parseCid(cid).toString());
		for (const record of removed) if (record.path) this.files.forget(record.path);
	}

	/** Reads every block of a pinned DAG back, verified (a model whose bytes changed fails). */
	async verify(cid: string, options: CallOptions = {}): Promise<void> {
		const root = parseCid(cid);
		// What is on disk now, not bytes read (ahead) before.
		this.files.forget();
		const pin = await blockIndex.getPin(root.toString());
		const total = pin?.size ?? 0;
		let done = 0;
		for await (const { cid: block, bytes } of walkDag(root, (c) => this.#load(c, options.signal), {
			loadLeaves: true,
			signal: options.signal
		}))
			if (block.code === raw.code) {
				done += bytes?.byteLength ?? 0;
				options.onProgress?.({ phase: 'verify', bytesDone: done, totalBytes: total });
			}
	}

	/** A CAR file (CARv1, the DAG in depth-first order) written to OPFS `exports/`. */
	async exportCar(cid: string, options: CallOptions = {}): Promise<File> {
		const root = parseCid(cid);
		const pin = await blockIndex.getPin(root.toString());
		const total = pin?.dagSize ?? 0;
		const dir = await (await opfsRoot()).getDirectoryHandle('exports', { create: true });
		const name = `${root.toString()}.car`;
		const handle = await dir.getFileHandle(name, { create: true });
		const writable = await handle.createWritable({ keepExistingData: false });
		const { writer, out } = CarWriter.create([root]);
		const drained = (async () => {
			for await (const chunk of out) await writable.write(new Uint8Array(chunk));
		})();
		try {
			let done = 0;
			for await (const { cid: block, bytes } of walkDag(
				root,
				(c) => this.#load(c, options.signal),
				{
					loadLeaves: true,
					signal: options.signal
				}
			)) {
				if (!bytes) continue;
				await writer.put({ cid: block, bytes });
				done += bytes.byteLength;
				options.onProgress?.({ phase: 'export', bytesDone: done, totalBytes: total });
			}
			await writer.close();
			await drained;
			await writable.close();
		} catch (error) {
			await writer.close().catch(() => undefined);
			await drained.catch(() => undefined);
			await writable.abort().catch(() => undefined);
			await dir.removeEntry(name).catch(() => undefined);
			throw error;
		}
		const file = await handle.getFile();
		return new File([file], name, { type: 'application/vnd.ipld.car' });
	}

	/**
	 * Fetches a file or a folder of files (a sharded variant) by CID from trustless gateways,
	 * verifying every block, into OPFS (see `fetch-model.ts`), pins it and registers it.
	 */
	fetchByCid(input: FetchByCidInput, options: CallOptions = {}): Promise<FetchByCidResult> {
		return fetchModel(input, new GatewayClient(input.gateways), options);
	}

	/** The same, with blocks from any source (the page's peer: bitswap, routing and gateways). */
	fetchFrom(
		input: FetchByCidInput,
		source: BlockSource,
		{ verifiedBlocks = false, ...options }: CallOptions & { verifiedBlocks?: boolean } = {}
	): Promise<FetchByCidResult> {
		return fetchModel(
			input,
			verifiedBlocks
				? source
				: {
						// Blocks nobody hashed are checked here: a wrong one is never written.
						block: async (cid, signal) => {
							const bytes = await source.block(cid, signal);
							await assertBlock(cid, bytes, 'received from a peer');
							return bytes;
						},
						...(source.prefetch ? { prefetch: source.prefetch.bind(source) } : {})
					},
			{ ahead: PEER_FETCH_AHEAD, ...options }
		);
	}

	async #prepare(
		input: PinFileInput,
		options: CallOptions
	): Promise<PinFileEntry & { pending: Pending }> {
		const path =
			input.opfsPath ??
			(input.model
				? partsPath(input.model.repoId, input.model.revision, input.model.path).join('/')
				: undefined);
		let blob: Blob;
		if (path) {
			this.files.forget(path);
			blob = await this.files.file(path);
		} else if (input.blob) blob = input.blob;
		else throw new AppError('IPFS_NOT_FOUND', 'Nothing to pin: give an OPFS path or a Blob.');
		const nodes = new Map<string, Uint8Array>();
		const leaves: PendingLeaf[] = [];
		const result = await importFile(
			readBlob(blob, undefined, options.signal),
			{
				putNode: (cid, bytes) => {
					nodes.set(cid.toString(), bytes.slice());
					return Promise.resolve();
				},
				putLeaf: (cid, offset, length, bytes) => {
					leaves.push(
						path
							? { cid: cid.toString(), location: { path, offset, length } }
							: { cid: cid.toString(), bytes: bytes.slice() }
					);
					return Promise.resolve();
				}
			},
			{
				signal: options.signal,
				onProgress: ({ bytesDone }) =>
					options.onProgress?.({ phase: 'pin', bytesDone, totalBytes: blob.size, file: input.name })
			}
		);
		const name =
			input.name ??
			(input.model?.path ?? path ?? (blob instanceof File ? blob.name : result.cid.toString()))
				.split('/')
				.pop()!
				.replace(/\.parts$/, '');
		return {
			name,
			cid: result.cid.toString(),
			size: result.size,
			dagSize: result.dagSize,
			...(input.sha256 ? { sha256: input.sha256 } : {}),
			...(path ? { path } : {}),
			pending: { nodes, leaves }
		};
	}

	async #importAndCommit(input: PinFileInput, parent: string | undefined, options: CallOptions) {
		const entry = await this.#prepare(input, options);
		await this.#commitPending([{ ...entry, ...(parent ? { parent } : {}) }]);
		return entry;
	}

	async #commitPending(
		entries: (PinFileEntry & { pending: Pending; parent?: string })[],
		extraPin?: PinRecord,
		extraNodes?: Map<string, Uint8Array>
	): Promise<void> {
		const nodes = new Map(extraNodes);
		const leaves: PendingLeaf[] = [];
		const pins: PinRecord[] = [];
		const now = Date.now();
		for (const { pending, ...entry } of entries) {
			for (const [cid, bytes] of pending.nodes) nodes.set(cid, bytes);
			leaves.push(...pending.leaves);
			pins.push({ ...entry, kind: 'file', pinnedAt: now });
			if (entry.path) this.files.forget(entry.path);
		}
		if (extraPin) pins.push(extraPin);
		await blockIndex.commit(nodes, leaves, pins);
	}
}

interface Pending {
	nodes: Map<string, Uint8Array>;
	leaves: PendingLeaf[];
}

function commonName(names: string[]): string {
	return variantLabel(names);
}

function toInfo(record: PinRecord): PinInfo {
	return {
		cid: record.cid,
		kind: record.kind,
		name: record.name,
		size: record.size,
		...(record.sha256 ? { sha256: record.sha256 } : {}),
		...(record.path ? { path: record.path } : {}),
		...(record.parent ? { parent: record.parent } : {}),
		...(record.files
			? { files: record.files.map(({ name, cid, size }) => ({ name, cid, size })) }
			: {}),
		pinnedAt: record.pinnedAt
	};
}
