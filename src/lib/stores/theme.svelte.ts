import { createContext } from 'svelte';
import { openCitrateDB } from '$lib/storage/db';

export type ThemePreference = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

/** Where the choice is kept. The app uses IndexedDB `settings` (key `theme`); tests pass a fake. */
export interface ThemePersistence {
	read(): Promise<ThemePreference | null>;
	write(preference: ThemePreference): Promise<void>;
}

export const THEME_SETTING_KEY = 'theme';

export function isThemePreference(value: unknown): value is ThemePreference {
	return value === 'system' || value === 'light' || value === 'dark';
}

export const idbThemePersistence: ThemePersistence = {
	async read() {
		const db = await openCitrateDB();
		const record = await db.get('settings', THEME_SETTING_KEY);
		return isThemePreference(record?.value) ? record.value : null;
	},
	async write(preference) {
		const db = await openCitrateDB();
		await db.put('settings', { key: THEME_SETTING_KEY, value: preference });
	}
};

const DARK_QUERY = '(prefers-color-scheme: dark)';

/**
 * Light/dark theme. "system" follows `prefers-color-scheme`; a user choice is stored and applied
 * as `data-theme` on <html> (also set before the app renders by /theme-init.js).
 */
export class ThemeStore {
	#preference = $state<ThemePreference>('system');
	#systemDark = $state(false);
	#persistence: ThemePersistence;
	#root: HTMLElement | null;

	constructor(
		persistence: ThemePersistence = idbThemePersistence,
		root: HTMLElement | null = typeof document === 'undefined' ? null : document.documentElement
	) {
		this.#persistence = persistence;
		this.#root = root;
		const initial = root?.dataset.theme;
		if (initial === 'light' || initial === 'dark') this.#preference = initial;
	}

	get preference(): ThemePreference {
		return this.#preference;
	}

	get resolved(): ResolvedTheme {
		if (this.#preference === 'system') return this.#systemDark ? 'dark' : 'light';
		return this.#preference;
	}

	/** Reads the stored choice and follows the system setting; returns a function that stops. */
	start(): () => void {
		const media = typeof matchMedia === 'function' ? matchMedia(DARK_QUERY) : null;
		const onChange = () => {
			this.#systemDark = media?.matches ?? false;
			this.#apply();
		};
		onChange();
		media?.addEventListener('change', onChange);
		let stopped = false;
		this.#persistence.read().then(
			(stored) => {
				if (stopped || stored === null) return;
				this.#preference = stored;
				this.#apply();
			},
			() => {
				// No IndexedDB (private mode, blocked): the system setting stays in charge.
			}
		);
		return () => {
			stopped = true;
			media?.removeEventListener('change', onChange);
		};
	}

	async setPreference(preference: ThemePreference): Promise<void> {
		this.#preference = preference;
		this.#apply();
		await this.#persistence.write(preference);
	}

	/** Switches between light and dark (leaving "system" for an explicit choice). */
	toggle(): Promise<void> {
		return this.setPreference(this.resolved === 'dark' ? 'light' : 'dark');
	}

	#apply(): void {
		if (!this.#root) return;
		if (this.#preference === 'system') delete this.#root.dataset.theme;
		else this.#root.dataset.theme = this.#preference;
		const meta = this.#root.ownerDocument.querySelector('meta[name="theme-color"]');
		meta?.setAttribute('content', this.resolved === 'dark' ? '#141210' : '#fbfaf7');
	}
}

export const [getTheme, setTheme] = createContext<ThemeStore>();
