import * as Comlink from 'comlink';
import { PagePrefetch } from './page-prefetch';
import { AppError, toAppError } from '../errors';
import { getLocalModel, registerLocalModel } from '../storage/models';
import type { LocalModel } from '../storage/types';
import type {
	FetchByCidInput,
	FetchByCidResult,
	IpfsProgress,
	Outcome,
	PageBlockSource,
	PinFileInput,
	PinInfo,
	PinResult,
	PinVariantResult
} from './types';
import type { IpfsWorkerApi } from './worker';

export type {
	ModelRecord,
	FetchByCidInput,
	FetchByCidResult,
	IpfsProgress,
	PinFileInput,
	PinInfo,
	PinResult,
	PinVariantResult
} from './types';
export { parseCid } from './cid';
export { CHUNK_SIZE, MAX_CHILDREN_PER_NODE } from './settings';

/**
 * IPFS for the page: Helia runs in its own worker (see `worker.ts`), reached through comlink.
 * Every long call takes `{ signal, onProgress }`; failures are `AppError`s with their codes.
 */
export interface CallOptions {
	signal?: AbortSignal;
	onProgress?: (progress: IpfsProgress) => void;
}

let worker: Worker | undefined;
let remote: Comlink.Remote<IpfsWorkerApi> | undefined;
let nextCall = 1;

function api(): Comlink.Remote<IpfsWorkerApi> {
	if (!remote) {
		worker = new Worker(new URL('./worker.ts', import.meta.url), {
			type: 'module',
			name: 'citrate-helia'
		});
		remote = Comlink.wrap<IpfsWorkerApi>(worker);
	}
	return remote;
}

/** Stops the Helia worker (the next call starts a fresh one). */
export function closeIpfs(): void {
	remote?.[Comlink.releaseProxy]();
	worker?.terminate();
	worker = undefined;
	remote = undefined;
}

async function call<T>(
	options: CallOptions,
	invoke: (
		remote: Comlink.Remote<IpfsWorkerApi>,
		callId: number,
		onProgress: ((progress: IpfsProgress) => void) | undefined
	) => Promise<Outcome<T>>
): Promise<T> {
	options.signal?.throwIfAborted();
	const target = api();
	const callId = nextCall++;
	const abort = () => void target.abort(callId);
	options.signal?.addEventListener('abort', abort, { once: true });
	try {
		const outcome = await invoke(
			target,
			callId,
			options.onProgress ? Comlink.proxy(options.onProgress) : undefined
		);
		if (!outcome.ok) throw AppError.fromJSON(outcome.error);
		return outcome.value;
	} finally {
		options.signal?.removeEventListener('abort', abort);
	}
}

/** Imports a verified file as UnixFS (kubo `--cid-version=1 --raw-leaves`) and pins it. */
export function pinFile(input: PinFileInput, options: CallOptions = {}): Promise<PinResult> {
	return call(
		options,
		(r, id, progress) => r.pinFile(id, input, progress) as Promise<Outcome<PinResult>>
	);
}

/** Pins each shard of a variant and a UnixFS directory holding them. */
export function pinVariant(
	files: PinFileInput[],
	options: CallOptions = {}
): Promise<PinVariantResult> {
	return call(options, (r, id, progress) => r.pinVariant(id, files, progress));
}

export function unpin(cid: string): Promise<void> {
	return call({}, (r, id) => r.unpin(id, cid));
}

export function isPinned(cid: string): Promise<boolean> {
	return call({}, (r, id) => r.isPinned(id, cid));
}

export function listPins(): Promise<PinInfo[]> {
	return call({}, (r, id) => r.listPins(id));
}

/** Reads every block of a pinned DAG back and re-hashes it (`IPFS_BLOCK_INVALID` if changed). */
export function verifyPin(cid: string, options: CallOptions = {}): Promise<void> {
	return call(options, (r, id, progress) => r.verify(id, cid, progress));
}

/** The pinned DAG as a CAR file (written to OPFS `exports/`, handed back as a `File`). */
export function exportCar(cid: string, options: CallOptions = {}): Promise<File> {
	return call(options, (r, id, progress) => r.exportCar(id, cid, progress));
}

/**
 * Fetches a model by CID from trustless gateways, every block verified, into OPFS (resumable),
 * pins it and registers it as a local model. A wrong block fails with `IPFS_BLOCK_INVALID` and
 * registers nothing.
 */
export function fetchByCid(
	input: FetchByCidInput,
	options: CallOptions = {}
): Promise<FetchByCidResult> {
	return call(options, (r, id, progress) => r.fetchByCid(id, input, progress));
}

/**
 * The same as `fetchByCid`, with every block from `block` (the page's peer: bitswap over its
 * connections, routing, gateways). A block the source cannot give fails the fetch with its error;
 * segments already written are kept, so a later call resumes.
 */
export function fetchFromSource(
	input: FetchByCidInput,
	block: (cid: string) => Promise<Uint8Array>,
	options: CallOptions & {
		/**
		 * The source hands only blocks it has hashed against their CID (this page's Helia does, for
		 * every block from the network and every block its Filestore reads): the worker then does
		 * not hash them a second time. Sizes and each file's SHA-256 are still checked.
		 */
		verifiedBlocks?: boolean;
	} = {}
): Promise<FetchByCidResult> {
	let ahead: PagePrefetch | undefined;
	const source: PageBlockSource = {
		async block(cid) {
			try {
				// A copy that owns its buffer, handed over without another copy. Comlink transfers what
				// is marked on the returned object itself, not on a value inside it.
				const bytes = (await (ahead ? ahead.take(cid) : block(cid))).slice();
				return Comlink.transfer({ ok: true, value: bytes }, [bytes.buffer]);
			} catch (error) {
				return { ok: false, error: toAppError(error).toJSON() };
			}
		},
		prefetch(cids, window) {
			ahead ??= new PagePrefetch(block, window);
			ahead.want(cids);
		}
	};
	return call(options, (r, id, progress) =>
		r.fetchFrom(id, input, Comlink.proxy(source), progress, options.verifiedBlocks === true)
	).finally(() => ahead?.stop());
}

/**
 * Pins a downloaded model (one CID per file, plus a directory CID for a sharded variant) and
 * records the CIDs on its `models` record. Returns the model's CID.
 */
export async function pinLocalModel(model: LocalModel, options: CallOptions = {}): Promise<string> {
	const inputs: PinFileInput[] = model.files.map((file) => ({
		model: { repoId: model.repoId, revision: model.revision, path: file.path },
		name: file.path.split('/').pop() ?? file.path,
		sha256: file.sha256
	}));
	let cid: string;
	let cids: string[];
	if (inputs.length === 1) {
		cid = (await pinFile(inputs[0] as PinFileInput, options)).cid;
		cids = [cid];
	} else {
		const result = await pinVariant(inputs, options);
		cid = result.directoryCid;
		cids = result.cids;
	}
	// The model may have been deleted while it was being pinned: then drop the pin instead.
	const current = await getLocalModel(model.id);
	if (!current) {
		await unpin(cid);
		return cid;
	}
	await registerLocalModel({
		...current,
		cid,
		files: current.files.map((file, index) => ({ ...file, cid: cids[index] as string }))
	});
	return cid;
}

const pinning = new Set<string>();

/**
 * Pins every listed model that has no CID yet (a download that just verified, or one whose pin
 * was interrupted by a reload). Resolves true when at least one model got its CID.
 */
export async function pinMissing(models: readonly LocalModel[]): Promise<boolean> {
	let pinned = false;
	for (const model of models) {
		if (model.cid || pinning.has(model.id)) continue;
		pinning.add(model.id);
		try {
			await pinLocalModel(model);
			pinned = true;
		} catch {
			// Left without a CID; the next refresh tries again.
		} finally {
			pinning.delete(model.id);
		}
	}
	return pinned;
}

/** Unpins a deleted model's CID and its files' CIDs (removing their index entries). */
export async function unpinLocalModel(model: LocalModel): Promise<void> {
	for (const cid of [model.cid, ...model.files.map((file) => file.cid)]) if (cid) await unpin(cid);
}
