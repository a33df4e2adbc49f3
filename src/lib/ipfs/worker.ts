/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { createHeliaLight, type Helia } from 'helia';
import { AppError, toAppError } from '../errors';
import { concatBytes } from './blockstore';
import { IpfsService } from './service';
import type {
	FetchByCidInput,
	IpfsProgress,
	Outcome,
	PageBlockSource,
	PinFileInput,
	PinVariantResult
} from './types';

/**
 * The Helia worker: a light Helia node (no libp2p, no bootstrap, no networking of its own) over
 * the Filestore blockstore. Gateways are used only by `fetchByCid`, only when configured.
 */
const service = new IpfsService();
let helia: Promise<Helia> | undefined;

function node(): Promise<Helia> {
	helia ??= (async () => {
		const instance = createHeliaLight({ blockstore: service.blockstore });
		await instance.start();
		service.useLoader(async (cid, signal) => {
			const parts: Uint8Array[] = [];
			for await (const part of instance.blockstore.get(cid, { signal })) parts.push(part);
			return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
		});
		return instance;
	})();
	return helia;
}

const calls = new Map<number, AbortController>();
type Progress = ((progress: IpfsProgress) => void) | undefined;

async function run<T>(
	callId: number,
	task: (signal: AbortSignal) => Promise<T>
): Promise<Outcome<T>> {
	const controller = new AbortController();
	calls.set(callId, controller);
	try {
		await node();
		return { ok: true, value: await task(controller.signal) };
	} catch (error) {
		const appError = controller.signal.aborted
			? toAppError(new DOMException('Aborted', 'AbortError'))
			: toAppError(error);
		return { ok: false, error: appError.toJSON() };
	} finally {
		calls.delete(callId);
	}
}

const api = {
	abort(callId: number): void {
		calls.get(callId)?.abort();
	},
	pinFile(callId: number, input: PinFileInput, onProgress: Progress) {
		return run(callId, (signal) => service.pinFile(input, { signal, onProgress }));
	},
	pinVariant(
		callId: number,
		inputs: PinFileInput[],
		onProgress: Progress
	): Promise<Outcome<PinVariantResult>> {
		return run(callId, (signal) => service.pinVariant(inputs, { signal, onProgress }));
	},
	unpin(callId: number, cid: string) {
		return run(callId, () => service.unpin(cid));
	},
	isPinned(callId: number, cid: string) {
		return run(callId, () => service.isPinned(cid));
	},
	listPins(callId: number) {
		return run(callId, () => service.listPins());
	},
	verify(callId: number, cid: string, onProgress: Progress) {
		return run(callId, (signal) => service.verify(cid, { signal, onProgress }));
	},
	exportCar(callId: number, cid: string, onProgress: Progress) {
		return run(callId, (signal) => service.exportCar(cid, { signal, onProgress }));
	},
	fetchByCid(callId: number, input: FetchByCidInput, onProgress: Progress) {
		return run(callId, (signal) => service.fetchByCid(input, { signal, onProgress }));
	},
	/** Fetch by CID with blocks from the page (its peer: connections live on the page). */
	fetchFrom(
		callId: number,
		input: FetchByCidInput,
		source: PageBlockSource,
		onProgress: Progress,
		verifiedBlocks = false
	) {
		return run(callId, (signal) =>
			service.fetchFrom(
				input,
				{
					block: async (cid, blockSignal) => {
						const outcome = await source.block(cid.toString());
						blockSignal?.throwIfAborted();
						if (!outcome.ok) throw AppError.fromJSON(outcome.error);
						return outcome.value;
					},
					prefetch: (cids, ahead) =>
						void Promise.resolve(
							source.prefetch(
								cids.map((cid) => cid.toString()),
								ahead
							)
						).catch(() => undefined)
				},
				{ signal, onProgress, verifiedBlocks }
			)
		);
	}
};

export type IpfsWorkerApi = typeof api;

Comlink.expose(api);
