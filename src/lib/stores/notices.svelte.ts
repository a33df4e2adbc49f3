import { createContext } from 'svelte';
import { toAppError } from '$lib/errors';

export type NoticeKind = 'info' | 'success' | 'error';

export interface NoticeInput {
	kind: NoticeKind;
	message: string;
	/** Milliseconds before it goes away by itself; 0 keeps it until dismissed. Errors default to 0. */
	timeoutMs?: number;
}

export interface Notice {
	id: number;
	kind: NoticeKind;
	message: string;
}

const DEFAULT_TIMEOUT_MS = 6000;

/** Short messages shown in the toast area (the root layout renders them). */
export class NoticesStore {
	#items = $state<Notice[]>([]);
	#nextId = 1;
	// Not reactive state: timer handles only.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	#timers = new Map<number, ReturnType<typeof setTimeout>>();

	get items(): readonly Notice[] {
		return this.#items;
	}

	/** Shows a notice; returns its id (for dismiss). The same message twice in a row is shown once. */
	push(input: NoticeInput): number {
		const last = this.#items.at(-1);
		if (last && last.kind === input.kind && last.message === input.message) return last.id;
		const id = this.#nextId++;
		this.#items.push({ id, kind: input.kind, message: input.message });
		const timeout = input.timeoutMs ?? (input.kind === 'error' ? 0 : DEFAULT_TIMEOUT_MS);
		if (timeout > 0) {
			this.#timers.set(
				id,
				setTimeout(() => this.dismiss(id), timeout)
			);
		}
		return id;
	}

	/** Shows any thrown value as an error notice with its user-facing message. */
	pushError(error: unknown): number {
		return this.push({ kind: 'error', message: toAppError(error).message });
	}

	dismiss(id: number): void {
		const timer = this.#timers.get(id);
		if (timer !== undefined) clearTimeout(timer);
		this.#timers.delete(id);
		this.#items = this.#items.filter((notice) => notice.id !== id);
	}

	clear(): void {
		for (const timer of this.#timers.values()) clearTimeout(timer);
		this.#timers.clear();
		this.#items = [];
	}
}

/** The app's notices; the root layout provides this instance through context. */
export const notices = new NoticesStore();

/** `getNotices()` in components (so tests can provide their own); the layout calls `setNotices`. */
export const [getNotices, setNotices] = createContext<NoticesStore>();
