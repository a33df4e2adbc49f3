import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dialog, IconButton, Input, ProgressBar, Switch, Tabs } from '$lib/components/ui';
import { ThemeStore, type ThemePersistence, type ThemePreference } from '$lib/stores/theme.svelte';

/** The design system in a real browser: roles, names, states and keyboard behaviour. */

const mounted: Record<string, unknown>[] = [];
let target: HTMLElement;

function render<P extends Record<string, unknown>>(component: unknown, props: P): HTMLElement {
	target = document.createElement('div');
	document.body.append(target);
	mounted.push(mount(component as never, { target, props } as never));
	flushSync();
	return target;
}

const text = (html: string) => createRawSnippet(() => ({ render: () => html }));

afterEach(() => {
	for (const instance of mounted.splice(0)) void unmount(instance);
	document.body.innerHTML = '';
});

describe('design system', () => {
	it('IconButton takes its accessible name and tooltip from the required label', () => {
		const onclick = vi.fn();
		const root = render(IconButton, {
			label: 'Delete model',
			onclick,
			children: text('<svg></svg>')
		});
		const button = root.querySelector('button')!;
		expect(button.getAttribute('aria-label')).toBe('Delete model');
		expect(button.title).toBe('Delete model');
		expect(button.type).toBe('button');
		button.click();
		expect(onclick).toHaveBeenCalledOnce();
	});

	it('ProgressBar exposes value, range, name and text; indeterminate has no value', () => {
		let root = render(ProgressBar, {
			label: 'Downloading tiny.gguf',
			value: 25,
			max: 200,
			valueText: '25 of 200 MB'
		});
		let bar = root.querySelector('[role="progressbar"]')!;
		expect(bar.getAttribute('aria-label')).toBe('Downloading tiny.gguf');
		expect(bar.getAttribute('aria-valuenow')).toBe('25');
		expect(bar.getAttribute('aria-valuemax')).toBe('200');
		expect(bar.getAttribute('aria-valuetext')).toBe('25 of 200 MB');
		expect((bar.firstElementChild as HTMLElement).style.width).toBe('12.5%');
		root = render(ProgressBar, { label: 'Starting', value: null });
		bar = root.querySelector('[role="progressbar"]')!;
		expect(bar.hasAttribute('aria-valuenow')).toBe(false);
	});

	it('Input is labelled and points at its hint and error', () => {
		const root = render(Input, {
			label: 'Repository',
			hint: 'owner/name',
			error: 'Not a repository id.'
		});
		const input = root.querySelector('input')!;
		const label = root.querySelector('label')!;
		expect(label.htmlFor).toBe(input.id);
		expect(input.labels?.[0]?.textContent).toBe('Repository');
		expect(input.getAttribute('aria-invalid')).toBe('true');
		const described = (input.getAttribute('aria-describedby') ?? '')
			.split(' ')
			.map((id) => document.getElementById(id)?.textContent);
		expect(described).toEqual(['owner/name', 'Not a repository id.']);
		expect(root.querySelector('[role="alert"]')?.textContent).toBe('Not a repository id.');
	});

	it('Switch is a labelled switch that toggles', () => {
		const root = render(Switch, { label: 'GGUF only', checked: false });
		const input = root.querySelector('input')!;
		expect(input.getAttribute('role')).toBe('switch');
		expect(input.labels?.[0]?.textContent?.trim()).toBe('GGUF only');
		input.click();
		flushSync();
		expect(input.checked).toBe(true);
	});

	it('Tabs follow the ARIA tabs pattern with arrow keys, Home and End', () => {
		const onchange = vi.fn();
		const root = render(Tabs, {
			label: 'Model sections',
			tabs: [
				{ id: 'files', label: 'Files' },
				{ id: 'readme', label: 'README' },
				{ id: 'meta', label: 'Metadata' }
			],
			onchange,
			panel: createRawSnippet((id: () => string) => ({ render: () => `<p>Panel ${id()}</p>` }))
		});
		const list = root.querySelector('[role="tablist"]')!;
		expect(list.getAttribute('aria-label')).toBe('Model sections');
		const tabs = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
		const selected = () => tabs.map((tab) => tab.getAttribute('aria-selected'));
		expect(selected()).toEqual(['true', 'false', 'false']);
		expect(tabs.map((tab) => tab.tabIndex)).toEqual([0, -1, -1]);
		tabs[0]!.focus();
		list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
		flushSync();
		expect(selected()).toEqual(['false', 'true', 'false']);
		expect(document.activeElement).toBe(tabs[1]);
		expect(onchange).toHaveBeenLastCalledWith('readme');
		list.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
		flushSync();
		expect(selected()).toEqual(['false', 'false', 'true']);
		list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
		flushSync();
		expect(selected()).toEqual(['true', 'false', 'false']);
		const panel = root.querySelector('[role="tabpanel"]')!;
		expect(panel.textContent).toBe('Panel files');
		expect(document.getElementById(panel.getAttribute('aria-labelledby')!)).toBe(tabs[0]);
	});

	it('Dialog opens modally with a labelled heading and closes with its button', async () => {
		const onclose = vi.fn();
		const root = render(Dialog, {
			open: true,
			title: 'Delete this model?',
			onclose,
			children: text('<p>Its files are removed from this device.</p>')
		});
		const dialog = root.querySelector('dialog')!;
		expect(dialog.open).toBe(true);
		expect(dialog.matches(':modal')).toBe(true);
		expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe(
			'Delete this model?'
		);
		root.querySelector<HTMLButtonElement>('button[aria-label="Close"]')!.click();
		flushSync();
		expect(dialog.open).toBe(false);
		// The dialog's close event is a queued task.
		await vi.waitFor(() => expect(onclose).toHaveBeenCalledOnce());
		flushSync();
		expect(root.querySelector('h2')).toBeNull();
	});
});

describe('ThemeStore', () => {
	function fakePersistence(initial: ThemePreference | null) {
		const writes: ThemePreference[] = [];
		const persistence: ThemePersistence = {
			read: async () => initial,
			write: async (value) => {
				writes.push(value);
			}
		};
		return { persistence, writes };
	}

	it('applies a stored choice, toggles and saves, and "system" removes the override', async () => {
		const root = document.createElement('html');
		root.append(document.createElement('head'));
		const { persistence, writes } = fakePersistence('dark');
		const theme = new ThemeStore(persistence, root);
		const stop = theme.start();
		await vi.waitFor(() => expect(root.dataset.theme).toBe('dark'));
		expect(theme.resolved).toBe('dark');
		await theme.toggle();
		expect(root.dataset.theme).toBe('light');
		expect(writes).toEqual(['light']);
		await theme.setPreference('system');
		expect(root.dataset.theme).toBeUndefined();
		expect(theme.resolved).toBe(
			matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
		);
		stop();
	});

	it('starts from what /theme-init.js already applied', () => {
		const root = document.createElement('html');
		root.dataset.theme = 'dark';
		const theme = new ThemeStore(fakePersistence(null).persistence, root);
		expect(theme.preference).toBe('dark');
	});
});
