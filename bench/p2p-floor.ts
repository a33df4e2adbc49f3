/**
 * The floor (`npm run bench:p2p`, variant `floor`): bare Helia receiving (bench/p2p-bare.ts) plus
 * the least a browser app must add to keep the model it receives and check its SHA-256 — each
 * leaf copied off the page to a worker, written there into OPFS at its offset, the file hashed in
 * order (bench/p2p-floor-worker.ts). No Citrate code: what the app adds beyond this is its own.
 */
import { MIB, bareReceive } from './p2p-bare';
import type { Transfer } from './p2p-types';

function reply<T>(worker: Worker, type: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const done = () => {
			worker.removeEventListener('message', listener);
			worker.removeEventListener('error', failed);
		};
		const listener = (event: MessageEvent<{ type: string } & T>) => {
			if (event.data.type !== type) return;
			done();
			resolve(event.data);
		};
		const failed = (event: ErrorEvent) => {
			done();
			reject(new Error(`floor worker: ${event.message}`));
		};
		worker.addEventListener('message', listener);
		worker.addEventListener('error', failed);
	});
}

export async function floorReceive(
	cid: string,
	addr: string,
	relay: string,
	window: number
): Promise<Transfer> {
	// Kept until the page closes, as the app's Helia worker is: the bench reads each thread's CPU
	// time after the transfer, and a thread that has ended is no longer there to read.
	const worker = new Worker(new URL('./p2p-floor-worker.ts', import.meta.url), { type: 'module' });
	try {
		const opened = reply(worker, 'opened');
		worker.postMessage({ type: 'open', name: `floor-${cid}.gguf` });
		await opened;
		const transfer = await bareReceive(cid, addr, relay, window, (bytes, offset) => {
			// Helia's block is a view into a bigger message: copied into its own buffer to move it.
			const own = bytes.slice();
			worker.postMessage({ type: 'leaf', buffer: own.buffer, offset }, [own.buffer]);
		});
		const lastBlock = performance.now();
		const closed = reply<{ sha256: string; bytes: number }>(worker, 'closed');
		worker.postMessage({ type: 'close' });
		const { sha256, bytes } = await closed;
		if (bytes !== transfer.bytes)
			throw new Error(`floor: hashed ${bytes} of ${transfer.bytes} bytes`);
		const transferMs = transfer.transferMs + (performance.now() - lastBlock);
		return {
			...transfer,
			lastBlockMs: transfer.transferMs,
			transferMs,
			mibPerSecond: transfer.bytes / MIB / (transferMs / 1000),
			sha256
		};
	} catch (error) {
		worker.terminate();
		throw error;
	}
}
