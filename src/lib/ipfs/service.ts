import { createSHA256 } from 'hash-wasm';
import { CarWriter } from '@ipld/car';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { AppError } from '../errors';
import { registerLocalModel } from '../storage/models';
import { SegmentStore, opfsRoot, partsPath } from '../storage/opfs';
import type { LocalModel } from '../storage/types';
import { blockIndex, type PendingLeaf, type PinFileEntry, type PinRecord } from './block-index';
import { parseCid } from './cid';
import { FilestoreBlockstore } from './blockstore';
import { decodeNode, walkDag } from './dag';
import { buildDirectory } from './directory';
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

/** Segment size of fetched files: a multiple of the 256 KiB chunk, as downloads use. */
const SEGMENT_BYTES = 8 * 1024 * 1024;
/** Leaves fetched ahead of the one being written. */
const FETCH_AHEAD = 8;

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

	/** Removes a pin (a directory's files too) and every block no other pin needs. */
	async unpin(cid: string): Promise<void> {
		const key = parseCid(cid).toString();
		const pin = await blockIndex.getPin(key);
		if (!pin) return;
		const removed = [pin];
		if (pin.kind === 'directory')
			for (const file of pin.files ?? []) {
				const child = await blockIndex.getPin(file.cid);
				if (child?.parent === key) removed.push(child);
			}
		// Blocks of the removed pins (DAG nodes come from IndexedDB; leaves are not read). A node
		// that cannot be read any more only leaves its own subtree behind: the pin still goes.
		const doomed = new Map<string, { cid: CID; paths: Set<string | undefined> }>();
		for (const record of removed)
			await this.#walkNodes(record, (block, path) => {
				const entry = doomed.get(block.toString()) ?? { cid: block, paths: new Set() };
				entry.paths.add(path);
				doomed.set(block.toString(), entry);
			});
		for (const record of removed) await blockIndex.deletePin(record.cid);
		// What the remaining pins still reach, and the files their leaves are read from ('*': a
		// directory, whose leaves live in its files' paths).
		const live = new Map<string, Set<string | undefined>>();
		for (const record of await blockIndex.listPins())
			await this.#walkNodes(record, (block, path) => {
				const paths = live.get(block.toString()) ?? new Set();
				paths.add(path);
				live.set(block.toString(), paths);
			});
		for (const [text, { cid: block, paths }] of doomed) {
			const livePaths = live.get(text);
			if (!livePaths) await blockIndex.delete(text);
			else if (block.code === raw.code && !livePaths.has('*'))
				for (const path of paths)
					if (path !== undefined && !livePaths.has(path)) await blockIndex.dropLeafPath(text, path);
		}
		for (const record of removed) if (record.path) this.files.forget(record.path);
	}

	async #walkNodes(
		record: PinRecord,
		visit: (cid: CID, path: string | undefined) => void
	): Promise<void> {
		const path = record.kind === 'directory' ? '*' : record.path;
		try {
			for await (const { cid } of walkDag(CID.parse(record.cid), (c) => this.#load(c), {
				loadLeaves: false
			}))
				visit(cid, path);
		} catch {
			// An unreadable node: what was reached is still visited.
		}
	}

	/** Reads every block of a pinned DAG back, verified (a model whose bytes changed fails). */
	async verify(cid: string, options: CallOptions = {}): Promise<void> {
		const root = parseCid(cid);
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
	 * verifying every block, into OPFS in the downloads layout (resumable: committed segments are
	 * kept and re-checked), then pins it and registers it as a local model.
	 */
	async fetchByCid(input: FetchByCidInput, options: CallOptions = {}): Promise<FetchByCidResult> {
		const root = parseCid(input.cid);
		const gateway = new GatewayClient(input.gateways);
		const signal = options.signal;
		const nodes = new Map<string, Uint8Array>();
		const rootBytes = await gateway.block(root, signal);
		const targets: { name: string; cid: CID; bytes: Uint8Array }[] = [];
		const decoded = decodeNode(root, rootBytes);
		if (decoded.unixfs?.type === 'directory') {
			nodes.set(root.toString(), rootBytes);
			for (const link of decoded.links) {
				if (!link.name || !isSafeName(link.name))
					throw new AppError('IPFS_NOT_FOUND', 'This folder has an entry with an unusable name.');
				const child = await gateway.block(link.cid, signal);
				const childNode = decodeNode(link.cid, child);
				if (childNode.unixfs && childNode.unixfs.type !== 'file' && childNode.unixfs.type !== 'raw')
					throw new AppError('IPFS_NOT_FOUND', 'This folder holds more than plain files.');
				targets.push({ name: link.name, cid: link.cid, bytes: child });
			}
			if (targets.length === 0) throw new AppError('IPFS_NOT_FOUND', 'This folder is empty.');
		} else if (
			root.code === raw.code ||
			decoded.unixfs?.type === 'file' ||
			decoded.unixfs?.type === 'raw'
		) {
			const name = input.name?.trim() ? ensureGguf(input.name.trim()) : `${root.toString()}.gguf`;
			if (!isSafeName(name))
				throw new AppError('IPFS_NOT_FOUND', `"${name}" is not a usable file name.`);
			targets.push({ name, cid: root, bytes: rootBytes });
		} else throw new AppError('IPFS_NOT_FOUND', 'This CID is not a file or a folder of files.');

		const plans = [];
		for (const target of targets) plans.push(await planFile(target, gateway, nodes, signal));
		const totalBytes = plans.reduce((sum, plan) => sum + plan.size, 0);
		await ensureRoom(totalBytes);

		const label = input.name?.trim() || variantLabel(targets.map((target) => target.name));
		const repoId = `ipfs/${slug(label)}`;
		const revision = root.toString();
		const storeRoot = await opfsRoot();
		const fileEntries: PinFileEntry[] = [];
		const leaves: PendingLeaf[] = [];
		let doneBefore = 0;
		try {
			for (const plan of plans) {
				const store = new SegmentStore(storeRoot, repoId, revision, plan.name);
				const sha256 = await writeFile(plan, store, gateway, {
					signal,
					onProgress: (bytesDone) =>
						options.onProgress?.({
							phase: 'fetch',
							bytesDone: doneBefore + bytesDone,
							totalBytes,
							file: plan.name
						})
				});
				doneBefore += plan.size;
				const path = partsPath(repoId, revision, plan.name).join('/');
				for (const leaf of plan.leaves)
					leaves.push({
						cid: leaf.cid.toString(),
						location: { path, offset: leaf.offset, length: leaf.length }
					});
				fileEntries.push({
					name: plan.name,
					cid: plan.cid.toString(),
					size: plan.size,
					dagSize: plan.dagSize,
					sha256,
					path
				});
			}
		} catch (error) {
			if (AppError.is(error, 'IPFS_BLOCK_INVALID'))
				for (const plan of plans)
					await new SegmentStore(storeRoot, repoId, revision, plan.name).remove();
			throw error;
		}
		const pins: PinRecord[] = [];
		const now = Date.now();
		if (decoded.unixfs?.type === 'directory') {
			pins.push({
				cid: root.toString(),
				kind: 'directory',
				name: label,
				size: totalBytes,
				dagSize: fileEntries.reduce((sum, entry) => sum + entry.dagSize, rootBytes.byteLength),
				files: fileEntries.map(({ name, cid, size, dagSize }) => ({ name, cid, size, dagSize })),
				pinnedAt: now
			});
			for (const entry of fileEntries)
				pins.push({ ...entry, kind: 'file', parent: root.toString(), pinnedAt: now });
		} else pins.push({ ...(fileEntries[0] as PinFileEntry), kind: 'file', pinnedAt: now });
		await blockIndex.commit(nodes, leaves, pins);

		const model: LocalModel = {
			id: `${repoId}@${revision}:${label}`,
			repoId,
			revision,
			variant: label,
			files: fileEntries.map((entry) => ({
				path: entry.name,
				size: entry.size,
				sha256: entry.sha256 as string,
				cid: entry.cid
			})),
			totalBytes,
			source: 'ipfs',
			addedAt: now,
			cid: root.toString()
		};
		await registerLocalModel(model);
		return { cid: root.toString(), model };
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

interface FilePlan {
	name: string;
	cid: CID;
	size: number;
	dagSize: number;
	leaves: { cid: CID; offset: number; length: number; bytes?: Uint8Array }[];
}

/** Fetches a file's interior nodes (verified) and lays out its leaves with their offsets. */
async function planFile(
	target: { name: string; cid: CID; bytes: Uint8Array },
	gateway: GatewayClient,
	nodes: Map<string, Uint8Array>,
	signal?: AbortSignal
): Promise<FilePlan> {
	const leaves: FilePlan['leaves'] = [];
	let dagSize = 0;
	const visit = async (
		cid: CID,
		bytes: Uint8Array | undefined,
		offset: number,
		length: number | undefined
	): Promise<number> => {
		if (cid.code === raw.code) {
			if (length === undefined) {
				// A lone raw block: its size is its length.
				const own = bytes ?? (await gateway.block(cid, signal));
				leaves.push({ cid, offset, length: own.byteLength, bytes: own });
				dagSize += own.byteLength;
				return own.byteLength;
			}
			leaves.push({ cid, offset, length });
			dagSize += length;
			return length;
		}
		const own = bytes ?? (await gateway.block(cid, signal));
		const node = decodeNode(cid, own);
		if (!node.unixfs || (node.unixfs.type !== 'file' && node.unixfs.type !== 'raw'))
			throw new AppError('IPFS_NOT_FOUND', 'This CID is not a plain file.');
		if (node.links.length > 0 && node.unixfs.data && node.unixfs.data.byteLength > 0)
			throw new AppError('IPFS_NOT_FOUND', 'This file uses a UnixFS layout that is not supported.');
		if (node.links.length === 0) {
			// A UnixFS leaf node (kubo without --raw-leaves): not read in place from the file.
			throw new AppError(
				'IPFS_NOT_FOUND',
				'This file was added without raw leaves (kubo --raw-leaves=false); add it with --cid-version=1 --raw-leaves.'
			);
		}
		nodes.set(cid.toString(), own);
		dagSize += own.byteLength;
		let at = offset;
		const sizes = node.unixfs.blockSizes.map(Number);
		for (const [index, link] of node.links.entries()) {
			const size = sizes[index];
			if (size === undefined)
				throw new AppError('IPFS_BLOCK_INVALID', 'A file node has inconsistent sizes.');
			await visit(link.cid, undefined, at, size);
			at += size;
		}
		return at - offset;
	};
	const size = await visit(target.cid, target.bytes, 0, undefined);
	return { name: target.name, cid: target.cid, size, dagSize, leaves };
}

/** Writes a planned file into its segment store, resuming after committed segments. */
async function writeFile(
	plan: FilePlan,
	store: SegmentStore,
	gateway: GatewayClient,
	options: { signal?: AbortSignal; onProgress: (bytesDone: number) => void }
): Promise<string> {
	const hasher = await createSHA256();
	hasher.init();
	// Resume: keep full committed segments; their bytes were verified when written.
	const sizes = await store.segmentSizes();
	let keep = 0;
	while (keep < sizes.length && sizes[keep] === SEGMENT_BYTES) keep++;
	let committed = keep * SEGMENT_BYTES;
	if (committed > plan.size) committed = 0;
	if (committed === 0) keep = 0;
	await store.truncate(keep);
	if (committed > 0) {
		const existing = await store.open(committed, plan.name);
		for await (const chunk of readBlob(existing, undefined, options.signal)) hasher.update(chunk);
		options.onProgress(committed);
	}
	const todo = plan.leaves.filter((leaf) => leaf.offset >= committed);
	let segment = keep;
	let writer = await store.openSegment(segment);
	let written = committed;
	const inFlight: Promise<Uint8Array>[] = [];
	let next = 0;
	const launch = () => {
		while (inFlight.length < FETCH_AHEAD && next < todo.length) {
			const leaf = todo[next++]!;
			inFlight.push(
				leaf.bytes ? Promise.resolve(leaf.bytes) : gateway.block(leaf.cid, options.signal)
			);
		}
	};
	try {
		for (let index = 0; index < todo.length; index++) {
			launch();
			const bytes = await inFlight.shift()!;
			const leaf = todo[index]!;
			if (bytes.byteLength !== leaf.length)
				throw new AppError(
					'IPFS_BLOCK_INVALID',
					'A block has a different size than its file node says.'
				);
			let chunk: Uint8Array<ArrayBuffer> = new Uint8Array(bytes);
			hasher.update(chunk);
			while (chunk.byteLength > 0) {
				const room = SEGMENT_BYTES - writer.bytes;
				const part = chunk.subarray(0, room);
				await writer.write(part);
				chunk = chunk.subarray(part.byteLength);
				if (writer.bytes === SEGMENT_BYTES) {
					await writer.commit();
					writer = await store.openSegment(++segment);
				}
			}
			written += leaf.length;
			options.onProgress(written);
		}
		if (writer.bytes > 0 || segment === 0) await writer.commit();
		else {
			await writer.abort();
			await store.truncate(segment);
		}
	} catch (error) {
		await writer.abort();
		await Promise.allSettled(inFlight);
		throw error;
	}
	return hasher.digest('hex');
}

async function ensureRoom(bytes: number): Promise<void> {
	const estimate = await navigator.storage?.estimate?.();
	if (
		estimate?.quota !== undefined &&
		estimate.usage !== undefined &&
		estimate.quota - estimate.usage < bytes
	)
		throw new AppError(
			'STORAGE_QUOTA',
			`This model needs ${formatBytes(bytes)} but the browser allows only ${formatBytes(estimate.quota - estimate.usage)} more.`
		);
}

function formatBytes(bytes: number): string {
	return bytes >= 1024 ** 3
		? `${(bytes / 1024 ** 3).toFixed(1)} GB`
		: `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function isSafeName(name: string): boolean {
	return (
		name.length > 0 && name.length < 256 && !/[/\\]/.test(name) && name !== '.' && name !== '..'
	);
}

function ensureGguf(name: string): string {
	return /\.gguf$/i.test(name) ? name : `${name}.gguf`;
}

function slug(label: string): string {
	return (
		label
			.replace(/\.gguf$/i, '')
			.replace(/[^A-Za-z0-9._-]+/g, '-')
			.replace(/^[-.]+|[-.]+$/g, '') || 'model'
	);
}

/** `tiny-Q8_0-00001-of-00003.gguf`, … → `tiny-Q8_0`; one file → its name without `.gguf`. */
function variantLabel(names: string[]): string {
	const first = (names[0] ?? 'model').replace(/\.gguf$/i, '');
	return first.replace(/-\d{5}-of-\d{5}$/, '');
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
