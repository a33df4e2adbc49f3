import { config } from '$lib/config';
import { toAppError, type AppError } from '$lib/errors';
import {
	approveOrigin,
	isAllowedByCsp,
	listApprovedOrigins,
	loopbackHttpAllowedFor,
	pagePolicy,
	parseApprovableOrigin,
	revokeOrigin,
	type OriginPolicy
} from '$lib/security';

/** How the page is served: by Citrate's service worker (which applies approvals), or not. */
export type ServiceWorkerState = 'controlling' | 'not-controlling' | 'unsupported';

/** What the store needs from the browser; tests pass their own. */
export interface ApprovedOriginsEnvironment {
	policy: OriginPolicy;
	/** The CSP the current page runs under. */
	pagePolicy(): string;
	serviceWorker(): ServiceWorkerState;
	/** Calls `listener` when a service worker starts (or stops) controlling the page. */
	onServiceWorkerChange(listener: () => void): void;
	reload(): void;
}

export const browserEnvironment = (): ApprovedOriginsEnvironment => ({
	policy: { allowLoopbackHttp: loopbackHttpAllowedFor(config.hubUrl) },
	pagePolicy: () => (typeof document === 'undefined' ? '' : pagePolicy(document)),
	serviceWorker: () =>
		typeof navigator === 'undefined' || !('serviceWorker' in navigator)
			? 'unsupported'
			: navigator.serviceWorker.controller
				? 'controlling'
				: 'not-controlling',
	onServiceWorkerChange: (listener) => {
		if (typeof navigator !== 'undefined' && 'serviceWorker' in navigator)
			navigator.serviceWorker.addEventListener('controllerchange', listener);
	},
	reload: () => location.reload()
});

/**
 * The connections the user allowed (origins added to `connect-src` by the service worker when it
 * serves the page). An approval or removal takes effect at the next load of the page: `pending`
 * says whether the current page still runs under the old list.
 */
export class ApprovedOriginsStore {
	#origins = $state<string[]>([]);
	#removed = $state<string[]>([]);
	#loaded = $state(false);
	#error = $state<AppError | null>(null);
	#serviceWorker = $state<ServiceWorkerState>('unsupported');
	#env: ApprovedOriginsEnvironment;

	constructor(env: ApprovedOriginsEnvironment = browserEnvironment()) {
		this.#env = env;
		this.#serviceWorker = env.serviceWorker();
		env.onServiceWorkerChange(() => (this.#serviceWorker = env.serviceWorker()));
	}

	get origins(): readonly string[] {
		return this.#origins;
	}
	get loaded(): boolean {
		return this.#loaded;
	}
	get error(): AppError | null {
		return this.#error;
	}
	get serviceWorker(): ServiceWorkerState {
		return this.#serviceWorker;
	}

	/** Whether the current page may already connect to `origin`. */
	isActive(origin: string): boolean {
		return isAllowedByCsp(`${origin}/`, this.#env.pagePolicy());
	}

	/** Whether the page must reload for the list to match what it may connect to. */
	get pending(): boolean {
		return (
			this.#origins.some((origin) => !this.isActive(origin)) ||
			this.#removed.some((origin) => this.isActive(origin))
		);
	}

	/** The origin `url` would be approved as; throws the user-facing AppError when it cannot be. */
	check(url: string): string {
		return parseApprovableOrigin(url, this.#env.policy);
	}

	async load(): Promise<void> {
		try {
			this.#origins = await listApprovedOrigins(this.#env.policy);
			this.#error = null;
		} catch (error) {
			this.#error = toAppError(error, 'STORAGE_UNAVAILABLE');
		} finally {
			this.#loaded = true;
		}
	}

	/** Approves the origin of `url` (throws an AppError for a value that cannot be approved). */
	async approve(url: string): Promise<string> {
		const origin = await approveOrigin(url, this.#env.policy);
		this.#removed = this.#removed.filter((entry) => entry !== origin);
		await this.load();
		return origin;
	}

	async revoke(origin: string): Promise<void> {
		await revokeOrigin(origin, this.#env.policy);
		if (!this.#removed.includes(origin)) this.#removed = [...this.#removed, origin];
		await this.load();
	}

	reload(): void {
		this.#env.reload();
	}
}
