import { createContext } from 'svelte';
import type { Workbox } from 'workbox-window';

/** How often an open tab asks the server whether a new version exists. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Connectivity and the service-worker lifecycle as the page sees it. A new worker waits until the
 * user chooses to reload (`applyUpdate`); the update never touches OPFS or IndexedDB.
 */
export class PwaStore {
	#online = $state(true);
	#updateReady = $state(false);
	#applying = $state(false);
	#controlled = $state(false);
	#workbox: Workbox | null = null;

	get online(): boolean {
		return this.#online;
	}
	/** A new version is installed and waiting. */
	get updateReady(): boolean {
		return this.#updateReady;
	}
	get applying(): boolean {
		return this.#applying;
	}
	/** A service worker controls this page (so it works offline). */
	get controlled(): boolean {
		return this.#controlled;
	}

	/** Follows online/offline; returns a function that stops. */
	start(): () => void {
		const update = () => {
			this.#online = navigator.onLine;
		};
		update();
		addEventListener('online', update);
		addEventListener('offline', update);
		return () => {
			removeEventListener('online', update);
			removeEventListener('offline', update);
		};
	}

	/** Registers the service worker (production builds only; the layout decides). */
	async register(scriptUrl = '/service-worker.js'): Promise<void> {
		if (!('serviceWorker' in navigator) || this.#workbox) return;
		const { Workbox } = await import('workbox-window');
		const workbox = new Workbox(scriptUrl);
		this.#workbox = workbox;
		workbox.addEventListener('waiting', () => {
			this.#updateReady = true;
		});
		workbox.addEventListener('controlling', () => {
			this.#controlled = true;
		});
		this.#controlled = navigator.serviceWorker.controller !== null;
		const registration = await workbox.register();
		if (registration) this.#watch(registration);
		setInterval(() => void this.checkForUpdate(), UPDATE_CHECK_INTERVAL_MS);
	}

	/**
	 * Also watches the registration itself: workbox-window stops reporting updates it thinks
	 * another tab started, and this tab must still offer the reload.
	 */
	#watch(registration: ServiceWorkerRegistration): void {
		const check = () => {
			if (registration.waiting && navigator.serviceWorker.controller) this.#updateReady = true;
		};
		const follow = (worker: ServiceWorker | null) => worker?.addEventListener('statechange', check);
		follow(registration.installing);
		registration.addEventListener('updatefound', () => follow(registration.installing));
		check();
	}

	/** Asks the server for a newer service worker now. */
	async checkForUpdate(): Promise<void> {
		try {
			await this.#workbox?.update();
		} catch {
			// Offline or the server is unreachable: try again next time.
		}
	}

	/** Activates the waiting worker and reloads once it controls the page. */
	async applyUpdate(): Promise<void> {
		this.#applying = true;
		const registration = await navigator.serviceWorker.getRegistration();
		const waiting = registration?.waiting;
		if (!waiting) {
			location.reload();
			return;
		}
		navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), {
			once: true
		});
		waiting.postMessage({ type: 'SKIP_WAITING' });
	}
}

export const [getPwa, setPwa] = createContext<PwaStore>();
