/**
 * A short on-device CPU calibration for the speed prediction: int8 multiply-adds (the inner loop of a
 * quantized matrix-vector product) over a cache-sized buffer, best of several short rounds so a busy
 * moment does not count. About 0.3 s; the result is stored and reused until the browser or the
 * backend changes (see `speed-prediction.ts`).
 */

const LENGTH = 64 * 1024;
const PASSES = 16;

let sink = 0;

function round(a: Int8Array, b: Int8Array): number {
	let acc = 0;
	for (let p = 0; p < PASSES; p++)
		for (let i = 0; i < LENGTH; i++) acc = (acc + a[i]! * b[(i + p) & (LENGTH - 1)]!) | 0;
	return acc;
}

/** Millions of int8 multiply-adds per second on one thread (the best round within `budgetMs`). */
export function calibrate(budgetMs = 300, now: () => number = () => performance.now()): number {
	const a = new Int8Array(LENGTH);
	const b = new Int8Array(LENGTH);
	for (let i = 0; i < LENGTH; i++) {
		a[i] = ((i * 37) % 255) - 127;
		b[i] = ((i * 91) % 253) - 126;
	}
	sink ^= round(a, b); // JIT warm-up
	let best = 0;
	const start = now();
	do {
		const t0 = now();
		sink ^= round(a, b);
		const ms = now() - t0;
		if (ms > 0) best = Math.max(best, (LENGTH * PASSES) / ms / 1000);
	} while (now() - start < budgetMs);
	if (sink === 0.5) console.debug(sink); // keep the loop observable
	return best;
}
