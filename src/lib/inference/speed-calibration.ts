/**
 * A short on-device CPU calibration for the speed prediction: int8 multiply-adds (the inner loop of a
 * quantized matrix-vector product) over a cache-sized buffer, best of several short rounds so a busy
 * moment does not count. The result is stored and reused until the browser or the backend changes
 * (see `speed-calibration-store.ts`).
 *
 * The loop is JavaScript, so its speed depends on V8's tier: the first rounds run baseline code about
 * 5× slower than the optimized code that the background compiler delivers a few milliseconds later.
 * On a busy machine that compiler thread can starve for longer than the whole budget, and a score
 * taken then is 5× too low (seen on the 2-core bench machine under load: 1,100 idle, ~225 starved).
 * So the calibration runs until it has seen the tier-up (the best round well below the best of the
 * first `EARLY_MS`: one slow round in a busy moment is not a tier), up to `maxMs`, and says whether it
 * did: a score that never settled is used for this visit only.
 */

const LENGTH = 64 * 1024;
const PASSES = 16;
/** The optimized loop is ~5× faster than baseline code; 2.5× below the first round means tiered up. */
const TIER_UP_FACTOR = 2.5;
/** The rounds that start within this long, and the first few in any case, count as the baseline tier's. */
const EARLY_MS = 50;
const EARLY_ROUNDS = 3;

let sink = 0;
/** The baseline tier's round time seen by the first calibration of this page (the real loop only). */
let firstBaselineMs: number | null = null;

function round(a: Int8Array, b: Int8Array): number {
	let acc = 0;
	for (let p = 0; p < PASSES; p++)
		for (let i = 0; i < LENGTH; i++) acc = (acc + a[i]! * b[(i + p) & (LENGTH - 1)]!) | 0;
	return acc;
}

export interface Calibration {
	/** Millions of int8 multiply-adds per second on one thread (the best round). */
	score: number;
	/** True when the optimized code was measured (the tier-up was seen, or the first round was already fast). */
	settled: boolean;
	elapsedMs: number;
}

export interface CalibrationBudget {
	/** Stop here once the tier-up has been seen (default 300 ms). */
	minMs?: number;
	/** Stop here in any case (default 1000 ms). */
	maxMs?: number;
	now?: () => number;
	/** The round to time (tests give a fake one). */
	work?: () => void;
}

export function calibrateDetailed(budget: CalibrationBudget = {}): Calibration {
	const now = budget.now ?? (() => performance.now());
	const minMs = budget.minMs ?? 300;
	const maxMs = Math.max(minMs, budget.maxMs ?? 1000);
	let work = budget.work;
	const realLoop = !work;
	if (!work) {
		const a = new Int8Array(LENGTH);
		const b = new Int8Array(LENGTH);
		for (let i = 0; i < LENGTH; i++) {
			a[i] = ((i * 37) % 255) - 127;
			b[i] = ((i * 91) % 253) - 126;
		}
		work = () => {
			sink ^= round(a, b);
		};
		work(); // the interpreter's round: not timed
	}
	let earlyBestMs = Infinity;
	let bestMs = Infinity;
	let rounds = 0;
	const start = now();
	let elapsed = 0;
	// A later calibration in the same page may start on optimized code: the first one's baseline
	// rounds are what it is compared with then.
	const baseline = () => Math.max(earlyBestMs, realLoop ? (firstBaselineMs ?? 0) : 0);
	const tieredUp = () => bestMs * TIER_UP_FACTOR <= baseline();
	do {
		const t0 = now();
		work();
		const ms = now() - t0;
		if (ms > 0) {
			if (t0 - start < EARLY_MS || rounds < EARLY_ROUNDS) earlyBestMs = Math.min(earlyBestMs, ms);
			bestMs = Math.min(bestMs, ms);
		}
		rounds++;
		elapsed = now() - start;
		if (elapsed >= minMs && tieredUp()) break;
	} while (elapsed < maxMs);
	if (realLoop && firstBaselineMs === null && Number.isFinite(earlyBestMs))
		firstBaselineMs = earlyBestMs;
	if (sink === 0.5) console.debug(sink); // keep the loop observable
	const score = Number.isFinite(bestMs) ? (LENGTH * PASSES) / bestMs / 1000 : 0;
	return { score, settled: tieredUp(), elapsedMs: elapsed };
}

/** The score alone (see `calibrateDetailed`). */
export function calibrate(budget?: CalibrationBudget): number {
	return calibrateDetailed(budget).score;
}
