/** What every emulator route handler gets. */
import type { OAuthLookup } from './access';
import type { Repo } from './repo-store';
import type { EmulatorState } from './state';

export interface RateLimitQuotas {
	api: number;
	resolvers: number;
}

export const RATE_WINDOW_SECONDS = 300;
export const DEFAULT_QUOTAS: RateLimitQuotas = { api: 1000, resolvers: 3000 };

/** Fixed-window counters per caller (token or address), as the Hub's `RateLimit` headers show. */
export class RateLimiter {
	quotas: RateLimitQuotas = { ...DEFAULT_QUOTAS };
	#windows = new Map<string, { start: number; used: number }>();

	reset(): void {
		this.quotas = { ...DEFAULT_QUOTAS };
		this.#windows.clear();
	}

	/** Counts one request; returns what to put in `RateLimit` and whether it is over quota. */
	hit(bucket: keyof RateLimitQuotas, caller: string) {
		const now = Date.now() / 1000;
		const key = `${bucket}:${caller}`;
		let w = this.#windows.get(key);
		if (!w || now - w.start >= RATE_WINDOW_SECONDS) {
			w = { start: Math.floor(now), used: 0 };
			this.#windows.set(key, w);
		}
		w.used += 1;
		const q = this.quotas[bucket];
		const remaining = Math.max(0, q - w.used);
		const reset = Math.max(1, Math.ceil(w.start + RATE_WINDOW_SECONDS - now));
		return {
			over: w.used > q,
			reset,
			headers: {
				RateLimit: `"${bucket}";r=${remaining};t=${reset}`,
				'RateLimit-Policy': `"fixed window";"${bucket}";q=${q};w=${RATE_WINDOW_SECONDS}`
			}
		};
	}
}

export interface Ctx {
	state: EmulatorState;
	repos: Map<string, Repo>;
	hubUrl: string;
	cdnUrl: string;
	/** Key that signs CDN URLs. */
	secret: Buffer;
	lookupOAuth: OAuthLookup;
	rate: RateLimiter;
}

export function findRepo(ctx: Ctx, id: string): Repo | undefined {
	const exact = ctx.repos.get(id);
	if (exact) return exact;
	const lower = id.toLowerCase();
	for (const repo of ctx.repos.values()) if (repo.id.toLowerCase() === lower) return repo;
	return undefined;
}

/** `main`, `HEAD` and the full commit id name the one commit each repo has. */
export function resolveRevision(repo: Repo, rev: string): string | null {
	const r = decodeURIComponent(rev);
	return r === 'main' || r === 'HEAD' || r === repo.sha ? repo.sha : null;
}
