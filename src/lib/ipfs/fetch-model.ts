import { createSHA256 } from 'hash-wasm';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { AppError } from '../errors';
import { registerLocalModel } from '../storage/models';
import { SegmentStore, opfsRoot, partsPath } from '../storage/opfs';
import type { LocalModel } from '../storage/types';
import { blockIndex, type PendingLeaf, type PinFileEntry, type PinRecord } from './block-index';
import { parseCid } from './cid';
import { decodeNode } from './dag';
import { FETCH_AHEAD } from './fetch-window';
import { limited } from './limited';
import { pacedProgress } from './paced-progress';
import { readBlob } from './importer';
import { planFile, type FilePlan } from './plan-file';
import type { FetchByCidInput, FetchByCidResult, IpfsProgress, ModelRecord } from './types';

/** Where fetched blocks come from: trustless gateways, or the page's peer (bitswap, routing). */
export interface BlockSource {
	/** The verified bytes of one block. */
	block(cid: CID, signal?: AbortSignal): Promise<Uint8Array>;
	/**
	 * The leaves `block` will be asked for next, in file order (a source that can fetch them ahead,
	 * `ahead` at a time, does; the others ignore it).
	 */
	prefetch?(cids: CID[], ahead: number): void;
}

export interface FetchOptions {
	signal?: AbortSignal;
	onProgress?: (progress: IpfsProgress) => void;
	/**
	 * Leaves being fetched at once (default 8; more hides peer latency). A new one is asked for as
	 * soon as any arrives; up to twice as many wait to be written.
	 */
	ahead?: number;
}

/** Segment size of fetched files: a multiple of the 256 KiB chunk, as downloads use. */
const SEGMENT_BYTES = 8 * 1024 * 1024;

/**
 * Fetches a file or a folder of files (a sharded variant) by CID, verifying every block, into
 * OPFS in the downloads layout (resumable: committed segments are kept and re-checked), then pins
 * it and registers it as a local model.
 */
export async function fetchModel(
	input: FetchByCidInput,
	source: BlockSource,
	options: FetchOptions = {}
): Promise<FetchByCidResult> {
	const root = parseCid(input.cid);
	const signal = options.signal;
	const nodes = new Map<string, Uint8Array>();
	const rootBytes = await source.block(root, signal);
	const ahead = options.ahead ?? FETCH_AHEAD;
	// The DAG's nodes, every file's at once, `ahead` at a time: not a round trip each in turn.
	const fetchBlock = limited(ahead, (cid: CID) => source.block(cid, signal));
	const targets: { name: string; cid: CID; bytes: Uint8Array }[] = [];
	const decoded = decodeNode(root, rootBytes);
	if (decoded.unixfs?.type === 'directory') {
		nodes.set(root.toString(), rootBytes);
		for (const link of decoded.links)
			if (!link.name || !isSafeName(link.name))
				throw new AppError('IPFS_NOT_FOUND', 'This folder has an entry with an unusable name.');
		const children = await Promise.all(
			decoded.links.map(async (link) => {
				const child = await fetchBlock(link.cid);
				const childNode = decodeNode(link.cid, child);
				if (childNode.unixfs && childNode.unixfs.type !== 'file' && childNode.unixfs.type !== 'raw')
					throw new AppError('IPFS_NOT_FOUND', 'This folder holds more than plain files.');
				return { name: link.name as string, cid: link.cid, bytes: child };
			})
		);
		targets.push(...children);
		if (targets.length === 0) throw new AppError('IPFS_NOT_FOUND', 'This folder is empty.');
	} else if (
		root.code === raw.code ||
		decoded.unixfs?.type === 'file' ||
		decoded.unixfs?.type === 'raw'
	) {
		const linked = input.record?.files[0]?.path;
		const name = linked
			? baseName(linked)
			: input.name?.trim()
				? ensureGguf(input.name.trim())
				: `${root.toString()}.gguf`;
		if (!isSafeName(name))
			throw new AppError('IPFS_NOT_FOUND', `"${name}" is not a usable file name.`);
		targets.push({ name, cid: root, bytes: rootBytes });
	} else throw new AppError('IPFS_NOT_FOUND', 'This CID is not a file or a folder of files.');

	const plans = await Promise.all(targets.map((target) => planFile(target, fetchBlock, nodes)));
	const totalBytes = plans.reduce((sum, plan) => sum + plan.size, 0);
	const record = input.record;
	if (record) assertPlansMatch(plans, record);
	await ensureRoom(totalBytes);

	const label =
		record?.variant || input.name?.trim() || variantLabel(targets.map((target) => target.name));
	const repoId = record?.repoId ?? `ipfs/${slug(label)}`;
	const revision = record?.revision ?? root.toString();
	const storeRoot = await opfsRoot();
	const fileEntries: PinFileEntry[] = [];
	const leaves: PendingLeaf[] = [];
	let doneBefore = 0;
	try {
		for (const plan of plans) {
			const store = new SegmentStore(storeRoot, repoId, revision, plan.name);
			const sha256 = await writeFile(plan, store, source, {
				signal,
				ahead,
				onProgress: (bytesDone) =>
					options.onProgress?.({
						phase: 'fetch',
						bytesDone: doneBefore + bytesDone,
						totalBytes,
						file: plan.name
					})
			});
			doneBefore += plan.size;
			const expected = record?.files[plans.indexOf(plan)]?.sha256;
			if (expected !== undefined && expected.toLowerCase() !== sha256)
				throw new AppError(
					'P2P_LINK_INVALID',
					`${plan.name} does not have the SHA-256 the link gives: the link was changed or does not belong to this CID. Nothing was added.`,
					{ details: { file: plan.name, expected, actual: sha256 } }
				);
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
		if (AppError.is(error, 'IPFS_BLOCK_INVALID') || AppError.is(error, 'P2P_LINK_INVALID'))
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

/** A share link's record must describe exactly the files the CID holds, in order. */
function assertPlansMatch(plans: FilePlan[], record: ModelRecord): void {
	const same =
		plans.length === record.files.length &&
		plans.every((plan, index) => {
			const file = record.files[index];
			return file !== undefined && baseName(file.path) === plan.name && file.size === plan.size;
		});
	if (!same)
		throw new AppError(
			'P2P_LINK_INVALID',
			'The link does not match what this CID holds (its files or sizes differ): it was changed or is not for this model. Nothing was added.'
		);
}

function baseName(path: string): string {
	return path.split('/').pop() ?? path;
}

/** Writes a planned file into its segment store, resuming after committed segments. */
async function writeFile(
	plan: FilePlan,
	store: SegmentStore,
	source: BlockSource,
	options: { signal?: AbortSignal; ahead: number; onProgress: (bytesDone: number) => void }
): Promise<string> {
	const hasher = await createSHA256();
	hasher.init();
	const progress = pacedProgress(options.onProgress);
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
		progress.push(committed);
	}
	const todo = plan.leaves.filter((leaf) => leaf.offset >= committed);
	source.prefetch?.(
		todo.filter((leaf) => !leaf.bytes).map((leaf) => leaf.cid),
		options.ahead
	);
	let segment = keep;
	let writer = await store.openSegmentDirect(segment);
	let written = committed;
	// Leaves asked for, in file order, not yet written. At most `ahead` are being fetched at once,
	// and a new one is asked for as soon as any arrives (not only when the oldest is written): a
	// slow block, a segment commit or a disk write never leaves the network idle. At most
	// `2 × ahead` wait to be written, which bounds the memory.
	const inFlight: Promise<Uint8Array>[] = [];
	let next = 0;
	let fetching = 0;
	let stopped = false;
	const queued = options.ahead * 2;
	const launch = () => {
		while (!stopped && fetching < options.ahead && inFlight.length < queued && next < todo.length) {
			const leaf = todo[next++]!;
			const request = leaf.bytes
				? Promise.resolve(leaf.bytes)
				: source.block(leaf.cid, options.signal);
			fetching++;
			const settled = () => {
				fetching--;
				launch();
			};
			request.then(settled, settled);
			inFlight.push(request);
		}
	};
	try {
		for (let index = 0; index < todo.length; index++) {
			launch();
			const bytes = await inFlight.shift()!;
			// Leaves already in memory resolve at once: without this a cancel would write them all.
			options.signal?.throwIfAborted();
			const leaf = todo[index]!;
			if (bytes.byteLength !== leaf.length)
				throw new AppError(
					'IPFS_BLOCK_INVALID',
					'A block has a different size than its file node says.'
				);
			// Blocks from the page arrive transferred, owning their buffer: no copy is needed.
			let chunk =
				bytes.buffer instanceof ArrayBuffer
					? (bytes as Uint8Array<ArrayBuffer>)
					: new Uint8Array(bytes);
			hasher.update(chunk);
			while (chunk.byteLength > 0) {
				const room = SEGMENT_BYTES - writer.bytes;
				const part = chunk.subarray(0, room);
				await writer.write(part);
				chunk = chunk.subarray(part.byteLength);
				if (writer.bytes === SEGMENT_BYTES) {
					await writer.commit();
					writer = await store.openSegmentDirect(++segment);
				}
			}
			written += leaf.length;
			progress.push(written);
		}
		progress.flush();
		if (writer.bytes > 0 || segment === 0) await writer.commit();
		else {
			await writer.abort();
			await store.truncate(segment);
		}
	} catch (error) {
		stopped = true;
		progress.cancel();
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
export function variantLabel(names: string[]): string {
	const first = (names[0] ?? 'model').replace(/\.gguf$/i, '');
	return first.replace(/-\d{5}-of-\d{5}$/, '');
}
