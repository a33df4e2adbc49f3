/**
 * Download speed from recent bytes only: samples of a byte counter over time, read against the
 * clock, so a download that stops receiving slows to 0 instead of keeping its last speed.
 */

export interface RateSample {
	time: number;
	bytes: number;
}

export class ByteRate {
	readonly #windowMs: number;
	#samples: RateSample[] = [];
	#lastChange: number | null = null;

	constructor(windowMs = 5000) {
		this.#windowMs = windowMs;
	}

	/** Records the counter at `time` (ms, monotonic). A counter that went down starts over. */
	add(time: number, bytes: number): void {
		const last = this.#samples[this.#samples.length - 1];
		if (last && bytes < last.bytes) this.#samples = [];
		if (!last || bytes !== last.bytes || this.#lastChange === null) this.#lastChange = time;
		this.#samples.push({ time, bytes });
		// Keep one sample at or before the window's start as the baseline.
		while (this.#samples.length > 2 && this.#samples[1]!.time <= time - this.#windowMs)
			this.#samples.shift();
	}

	/** Bytes per second over the window ending at `now`; 0 when nothing arrived in it. */
	speed(now: number): number {
		const last = this.#samples[this.#samples.length - 1];
		if (!last) return 0;
		let base = this.#samples[0]!;
		for (const sample of this.#samples) if (sample.time <= now - this.#windowMs) base = sample;
		const elapsed = (now - base.time) / 1000;
		if (elapsed < 0.2) return 0;
		return Math.max(0, (last.bytes - base.bytes) / elapsed);
	}

	/** Milliseconds since the counter last moved (since the first sample if it never did). */
	idleFor(now: number): number {
		return this.#lastChange === null ? 0 : Math.max(0, now - this.#lastChange);
	}
}
