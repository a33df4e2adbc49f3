import { untrack } from 'svelte';
import { readPairedDevices, type PairedHow } from '$lib/p2p/paired-devices';
import { uploads as meter, type Upload, type UploadMeter } from '$lib/p2p/upload-activity';

/** How often the shown rate is refreshed while something is being sent. */
const REFRESH_MS = 1_000;

/**
 * Who this browser is sending models to right now (its peer's recent uploads), for the shell:
 * empty when nothing was sent within the last few seconds.
 */
export class UploadsStore {
	active = $state.raw<Upload[]>([]);
	/** How each paired peer being sent to was paired (the user's node is named as such). */
	paired = $state.raw<Readonly<Record<string, PairedHow>>>({});
	readonly #meter: UploadMeter;
	readonly #readPaired: typeof readPairedDevices;
	/** Peers whose pairing was looked up (an unpaired one is not looked up every second). */
	readonly #looked: Record<string, true> = {};

	constructor(source: UploadMeter = meter, readPaired = readPairedDevices) {
		this.#meter = source;
		this.#readPaired = readPaired;
	}

	/** Reads the paired devices again when a peer not looked up yet is being sent to. */
	async #learn(active: Upload[]): Promise<void> {
		if (active.every((upload) => this.#looked[upload.peer])) return;
		for (const upload of active) this.#looked[upload.peer] = true;
		const devices = await this.#readPaired();
		this.paired = Object.fromEntries(devices.map((device) => [device.peer, device.how]));
	}

	get bytesPerSecond(): number {
		return this.active.reduce((sum, upload) => sum + upload.bytesPerSecond, 0);
	}

	/** Follows the meter until the returned function is called. */
	start(): () => void {
		let timer: ReturnType<typeof setInterval> | undefined;
		const refresh = () => {
			const active = this.#meter.active();
			this.active = active;
			// Not named then, only shortened: nothing is lost when IndexedDB cannot be read.
			void untrack(() => this.#learn(active)).catch(() => undefined);
			if (active.length === 0 && timer !== undefined) {
				clearInterval(timer);
				timer = undefined;
			}
		};
		const off = this.#meter.onSend(() => {
			if (timer === undefined) {
				refresh();
				timer = setInterval(refresh, REFRESH_MS);
			}
		});
		refresh();
		return () => {
			off();
			clearInterval(timer);
		};
	}
}
