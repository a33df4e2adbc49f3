/** How often a fetch by CID reports its progress at most (a report per block floods the page). */
export const PROGRESS_INTERVAL_MS = 100;

export interface PacedProgress {
	/** The newest figure: reported now if the last report is old enough, else when it is. */
	push(bytesDone: number): void;
	/** Reports the pending figure now (the end of a file). */
	flush(): void;
	/** Drops the pending figure (the fetch failed). */
	cancel(): void;
}

/**
 * Reports progress at most once per `intervalMs`, always the newest figure, and never leaves one
 * unreported for longer than that (a stall right after a block still shows the block).
 */
export function pacedProgress(
	report: (bytesDone: number) => void,
	intervalMs = PROGRESS_INTERVAL_MS
): PacedProgress {
	let last = -Infinity;
	let pending: number | undefined;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const emit = () => {
		if (timer !== undefined) clearTimeout(timer);
		timer = undefined;
		if (pending === undefined) return;
		const bytesDone = pending;
		pending = undefined;
		last = performance.now();
		report(bytesDone);
	};
	return {
		push(bytesDone) {
			pending = bytesDone;
			if (timer !== undefined) return;
			const wait = last + intervalMs - performance.now();
			if (wait <= 0) emit();
			else timer = setTimeout(emit, wait);
		},
		flush: emit,
		cancel() {
			if (timer !== undefined) clearTimeout(timer);
			timer = undefined;
			pending = undefined;
		}
	};
}
