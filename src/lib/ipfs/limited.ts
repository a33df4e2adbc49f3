/** `run`, with at most `concurrency` calls under way; the others wait their turn, in order. */
export function limited<A, R>(
	concurrency: number,
	run: (arg: A) => Promise<R>
): (arg: A) => Promise<R> {
	let running = 0;
	const waiting: (() => void)[] = [];
	return async (arg) => {
		if (running < concurrency) running++;
		// A finished call hands its slot straight to the next one.
		else await new Promise<void>((resolve) => waiting.push(resolve));
		try {
			return await run(arg);
		} finally {
			const next = waiting.shift();
			if (next) next();
			else running--;
		}
	};
}
