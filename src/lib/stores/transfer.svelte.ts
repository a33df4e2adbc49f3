import { toAppError } from '$lib/errors';
import type { LocalModel } from '$lib/storage/types';
import {
	decodeOffer,
	offerFor,
	offerLink,
	receiveOffer,
	startPeer,
	type ConnectionKind,
	type PeerView,
	type ShareOffer,
	type SourceTally
} from '$lib/p2p';

export type ReceiveStatus =
	'idle' | 'connecting' | 'receiving' | 'paused' | 'waiting' | 'done' | 'failed' | 'cancelled';

/** How often a device that went away is tried again. */
const RETRY_MS = 3000;

/**
 * One model received from another device (the /receive page): connect, fetch with progress,
 * speed and sources, pause / resume (blocks already written are kept) / cancel. When the sending
 * device goes away the transfer pauses and resumes by itself once it is back.
 */
export class ReceiveTransfer {
	offer = $state.raw<ShareOffer | null>(null);
	status = $state<ReceiveStatus>('idle');
	bytesDone = $state(0);
	totalBytes = $state(0);
	bytesPerSecond = $state(0);
	blocksFetched = $state(0);
	sources = $state.raw<SourceTally[]>([]);
	connection = $state.raw<PeerView | null>(null);
	error = $state<string | null>(null);
	/** Why the transfer is paused or waiting, in words. */
	note = $state<string | null>(null);
	model = $state.raw<LocalModel | null>(null);
	/** Peers refused for sending a wrong block (the transfer goes on from the others). */
	refused = $state.raw<string[]>([]);

	#controller: AbortController | undefined;
	#retry: ReturnType<typeof setTimeout> | undefined;
	#unsubscribe: (() => void) | undefined;
	#speed: { at: number; bytes: number }[] = [];
	#blocksBefore = 0;

	/** Reads a link (or pasted text); false with `error` set when it is not a valid link. */
	load(text: string): boolean {
		this.reset();
		try {
			this.offer = decodeOffer(text);
			this.totalBytes = this.offer.model.files.reduce((sum, file) => sum + file.size, 0);
			return true;
		} catch (error) {
			this.error = toAppError(error).message;
			this.status = 'failed';
			return false;
		}
	}

	get active(): boolean {
		return this.status === 'connecting' || this.status === 'receiving';
	}

	/** Starts or resumes; `retry` (after the sender went away) keeps the waiting state and note. */
	async start(retry = false): Promise<void> {
		const offer = this.offer;
		if (!offer || this.active || this.#controller) return;
		this.#clearRetry();
		if (!retry) {
			this.error = null;
			this.note = null;
			this.status = 'connecting';
		}
		const controller = new AbortController();
		this.#controller = controller;
		this.#speed = [];
		this.#blocksBefore = this.blocksFetched;
		try {
			const peer = await startPeer();
			this.#unsubscribe?.();
			const offDisconnect = peer.onDisconnect((id) => {
				if (id === offer.peer.id && this.status === 'receiving' && !peer.connectionTo(id))
					this.#away();
			});
			this.refused = peer.guard.refused();
			const offRefused = peer.guard.onRefused(() => (this.refused = peer.guard.refused()));
			this.#unsubscribe = () => {
				offDisconnect();
				offRefused();
			};
			const result = await receiveOffer(peer, offer, {
				signal: controller.signal,
				onConnected: (connection) => {
					this.connection = connection;
					this.status = 'receiving';
					this.error = null;
					this.note = null;
				},
				onProgress: (progress) => {
					this.bytesDone = progress.bytesDone;
					this.totalBytes = progress.totalBytes;
					this.blocksFetched = this.#blocksBefore + progress.blocksFetched;
					this.sources = progress.sources;
					this.#tick(progress.bytesDone);
				}
			});
			this.model = result.model;
			this.status = 'done';
			this.bytesPerSecond = 0;
		} catch (error) {
			if (controller.signal.aborted) return; // paused, cancelled or away: already set
			const appError = toAppError(error);
			if (retry && (appError.code === 'P2P_UNREACHABLE' || appError.code === 'P2P_STALLED')) {
				// Still away: keep waiting.
				this.#wait(this.note ?? undefined);
				return;
			}
			if (appError.code === 'P2P_STALLED') {
				// Connected, but nothing comes (every connected peer and gateway was asked): say so,
				// keep what was written and try again until blocks come.
				this.error = appError.message;
				this.#wait(
					'The sending device stopped sending. Paused; it resumes when blocks come again.'
				);
				return;
			}
			this.error = appError.message;
			this.status = 'failed';
		} finally {
			if (this.#controller === controller) this.#controller = undefined;
		}
	}

	pause(): void {
		if (!this.active) return;
		this.status = 'paused';
		this.note = 'Paused. The blocks already received are kept.';
		this.#controller?.abort();
	}

	resume(): void {
		if (this.status === 'paused' || this.status === 'waiting' || this.status === 'failed')
			void this.start();
	}

	cancel(): void {
		this.#clearRetry();
		this.#controller?.abort();
		this.status = 'cancelled';
		this.note = 'Cancelled. Opening the link again resumes where it stopped.';
	}

	reset(): void {
		this.#clearRetry();
		this.#controller?.abort();
		this.#unsubscribe?.();
		this.#unsubscribe = undefined;
		this.offer = null;
		this.status = 'idle';
		this.bytesDone = 0;
		this.totalBytes = 0;
		this.bytesPerSecond = 0;
		this.blocksFetched = 0;
		this.sources = [];
		this.connection = null;
		this.error = null;
		this.note = null;
		this.model = null;
	}

	/** The sending device went away mid-transfer: pause, and try again until it is back. */
	#away(): void {
		this.#controller?.abort();
		this.error = null;
		this.#wait(
			'The sending device went away. Paused: the transfer resumes here by itself once Citrate is open on it again (if it does not, choose Send to another device for this model there).'
		);
	}

	#wait(note = 'Waiting for the sending device…'): void {
		this.status = 'waiting';
		this.note = note;
		this.bytesPerSecond = 0;
		this.#clearRetry();
		this.#retry = setTimeout(() => {
			this.#retry = undefined;
			if (this.status === 'waiting') void this.start(true);
		}, RETRY_MS);
	}

	#clearRetry(): void {
		if (this.#retry !== undefined) clearTimeout(this.#retry);
		this.#retry = undefined;
	}

	#tick(bytes: number): void {
		const now = performance.now();
		this.#speed.push({ at: now, bytes });
		while (this.#speed.length > 2 && now - (this.#speed[0]?.at ?? now) > 3000) this.#speed.shift();
		const first = this.#speed[0];
		if (first && now > first.at)
			this.bytesPerSecond = ((bytes - first.bytes) * 1000) / (now - first.at);
	}
}

export interface Receiver {
	peer: string;
	kind: ConnectionKind;
}

/** Sending one pinned model from this device: its link, QR payload and who is receiving. */
export class SendSession {
	status = $state<'starting' | 'ready' | 'failed'>('starting');
	link = $state<string | null>(null);
	error = $state<string | null>(null);
	receivers = $state.raw<Receiver[]>([]);
	peerId = $state<string | null>(null);
	#unsubscribe: (() => void) | undefined;
	#release: (() => void) | undefined;
	#closed = false;

	async open(model: LocalModel, base: string): Promise<void> {
		this.status = 'starting';
		this.error = null;
		try {
			const peer = await startPeer();
			if (this.#closed) return;
			// Devices that connect while the link is offered came through it: they are served.
			this.#release = peer.offering(model.repoId);
			const addrs = await peer.reachableAddrs();
			if (this.#closed) return;
			this.peerId = peer.id;
			this.link = offerLink(base, offerFor(model, { id: peer.id, addrs }));
			const refresh = () => {
				this.receivers = peer.peers();
			};
			refresh();
			this.#unsubscribe = peer.onPeersChange(refresh);
			this.status = 'ready';
		} catch (error) {
			this.error = toAppError(error).message;
			this.status = 'failed';
		}
	}

	close(): void {
		this.#closed = true;
		this.#unsubscribe?.();
		this.#release?.();
	}
}
