import type { BitswapNetwork } from './serving';

/**
 * What this browser's peer is sending, per receiving peer, over the last few seconds: the shell
 * shows it ("Sending to device …") so that a user whose browser serves a paired device with no
 * dialog open knows to keep Citrate open. No runtime dependencies: the shell imports it on first
 * load.
 */

/** One peer this browser sent blocks to lately. */
export interface Upload {
	peer: string;
	/** Bytes sent to it within the window. */
	bytes: number;
	/** Its rate over the window, in bytes per second. */
	bytesPerSecond: number;
}

/** How far back "lately" reaches. */
export const UPLOAD_WINDOW_MS = 5_000;

export class UploadMeter {
	readonly #sends = new Map<string, { at: number; bytes: number }[]>();
	readonly #listeners = new Set<() => void>();
	readonly #now: () => number;
	readonly #windowMs: number;

	constructor(now: () => number = () => performance.now(), windowMs = UPLOAD_WINDOW_MS) {
		this.#now = now;
		this.#windowMs = windowMs;
	}

	/** Blocks of `bytes` in all were sent to `peer` just now. */
	record(peer: string, bytes: number): void {
		if (!(bytes > 0)) return;
		const sends = this.#sends.get(peer) ?? [];
		sends.push({ at: this.#now(), bytes });
		this.#sends.set(peer, sends);
		this.#prune();
		for (const listener of this.#listeners) listener();
	}

	/** The peers sent to within the window, the busiest first. */
	active(): Upload[] {
		this.#prune();
		return [...this.#sends]
			.map(([peer, sends]) => {
				const bytes = sends.reduce((sum, send) => sum + send.bytes, 0);
				return { peer, bytes, bytesPerSecond: (bytes * 1000) / this.#windowMs };
			})
			.sort((a, b) => b.bytes - a.bytes);
	}

	/** Calls `listener` after each send; returns the unsubscribe function. */
	onSend(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#prune(): void {
		const since = this.#now() - this.#windowMs;
		for (const [peer, sends] of this.#sends) {
			while (sends.length > 0 && (sends[0]?.at ?? 0) < since) sends.shift();
			if (sends.length === 0) this.#sends.delete(peer);
		}
	}
}

/** This browser's uploads (its peer records them; the shell reads them). */
export const uploads = new UploadMeter();

/** The bytes of the blocks in one message bitswap sends. */
export function blockBytes(message: Parameters<BitswapNetwork['sendMessage']>[1]): number {
	let bytes = 0;
	for (const block of message.blocks?.values() ?? []) bytes += block.data.byteLength;
	return bytes;
}

/** Records every block bitswap sends in `meter`; returns the function that stops recording. */
export function meterUploads(network: BitswapNetwork, meter: UploadMeter = uploads): () => void {
	const send = network.sendMessage;
	network.sendMessage = async (peer, message, options) => {
		await send.call(network, peer, message, options);
		meter.record(peer.toString(), blockBytes(message));
	};
	return () => {
		network.sendMessage = send;
	};
}
