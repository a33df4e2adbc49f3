import { uploads as meter, type Upload, type UploadMeter } from '$lib/p2p/upload-activity';

/** How often the shown rate is refreshed while something is being sent. */
const REFRESH_MS = 1_000;

/**
 * Who this browser is sending models to right now (its peer's recent uploads), for the shell:
 * empty when nothing was sent within the last few seconds.
 */
export class UploadsStore {
	active = $state.raw<Upload[]>([]);
	readonly #meter: UploadMeter;

	constructor(source: UploadMeter = meter) {
		this.#meter = source;
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
