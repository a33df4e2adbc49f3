/**
 * The page's side of a fetch whose blocks come from the page's peer: the worker names the leaves
 * it will ask for, in file order, once; the page asks the network for them itself, `ahead` on
 * their way, a new one as soon as any arrives, at most `2 × ahead` held for the worker. Asking
 * from where the blocks arrive (not one request from the worker per block, each a hop between
 * threads) keeps the peer's want list full the way a plain Helia node keeps it.
 */
export class PagePrefetch {
	readonly #fetch: (cid: string) => Promise<Uint8Array>;
	readonly #ahead: number;
	#queue: string[] = [];
	#next = 0;
	#fetching = 0;
	readonly #held = new Map<string, Promise<Uint8Array>>();
	#stopped = false;

	constructor(fetch: (cid: string) => Promise<Uint8Array>, ahead: number) {
		this.#fetch = fetch;
		this.#ahead = ahead;
	}

	/** The leaves the worker will ask for next, in order. */
	want(cids: string[]): void {
		if (this.#stopped) return;
		this.#queue = [...this.#queue.slice(this.#next), ...cids];
		this.#next = 0;
		this.#launch();
	}

	/** One block: the one already asked for when it was named, else asked for now. */
	take(cid: string): Promise<Uint8Array> {
		const held = this.#held.get(cid);
		if (!held) return this.#fetch(cid);
		this.#held.delete(cid);
		this.#launch();
		return held;
	}

	/** Asks for nothing more and lets go of what is held (the fetch ended). */
	stop(): void {
		this.#stopped = true;
		this.#queue = [];
		this.#held.clear();
	}

	#launch(): void {
		while (
			!this.#stopped &&
			this.#fetching < this.#ahead &&
			this.#held.size < 2 * this.#ahead &&
			this.#next < this.#queue.length
		) {
			const cid = this.#queue[this.#next++] as string;
			// A leaf that repeats in the file is asked for once here; its next turn asks again.
			if (this.#held.has(cid)) continue;
			this.#fetching++;
			const request = this.#fetch(cid);
			// A failure reaches the worker when it takes the block; one never taken is dropped.
			const settled = () => {
				this.#fetching--;
				this.#launch();
			};
			request.then(settled, settled);
			this.#held.set(cid, request);
		}
	}
}
