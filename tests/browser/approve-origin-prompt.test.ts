import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApproveOriginPrompt } from '$lib/components/app/security';
import { APPROVED_ORIGINS_SETTING_KEY, listApprovedOrigins } from '$lib/security';
import { openCitrateDB } from '$lib/storage/db';
import {
	ApprovedOriginsStore,
	type ApprovedOriginsEnvironment,
	type ServiceWorkerState
} from '$lib/stores/approved-origins.svelte';

/** The approval prompt a settings form shows: its question, its button, what happens after. */

const PROD = { allowLoopbackHttp: false };
const mounted: Record<string, unknown>[] = [];

function environment(serviceWorker: ServiceWorkerState) {
	const reload = vi.fn();
	const env: ApprovedOriginsEnvironment = {
		policy: PROD,
		pagePolicy: () => "default-src 'self'; connect-src 'self'",
		serviceWorker: () => serviceWorker,
		onServiceWorkerChange: () => {},
		reload
	};
	return { env, reload };
}

function render(props: Record<string, unknown>): HTMLElement {
	const target = document.createElement('div');
	document.body.append(target);
	mounted.push(mount(ApproveOriginPrompt as never, { target, props } as never));
	flushSync();
	return target;
}

const button = (root: HTMLElement, name: string) =>
	[...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);

beforeEach(async () => {
	await (await openCitrateDB()).delete('settings', APPROVED_ORIGINS_SETTING_KEY);
});
afterEach(() => {
	for (const instance of mounted.splice(0)) void unmount(instance);
	document.body.innerHTML = '';
});

describe('ApproveOriginPrompt', () => {
	it('asks about the origin of the endpoint; "Allow and reload" stores it and reloads', async () => {
		const { env, reload } = environment('controlling');
		const onapproved = vi.fn();
		const root = render({
			url: 'https://pins.example.org/api/v1',
			purpose: 'to keep your models there',
			store: new ApprovedOriginsStore(env),
			onapproved
		});
		expect(root.textContent).toContain(
			'Allow Citrate to connect to https://pins.example.org to keep your models there?'
		);
		button(root, 'Allow and reload')!.click();
		await vi.waitFor(() => expect(reload).toHaveBeenCalledOnce());
		expect(onapproved).toHaveBeenCalledWith('https://pins.example.org');
		expect(await listApprovedOrigins(PROD)).toEqual(['https://pins.example.org']);
	});

	it('without a controlling service worker: "Allow", no reload, and says it works after one', async () => {
		const { env, reload } = environment('not-controlling');
		const root = render({ url: 'wss://node.example:4003', store: new ApprovedOriginsStore(env) });
		expect(button(root, 'Allow and reload')).toBeUndefined();
		button(root, 'Allow')!.click();
		await vi.waitFor(() =>
			expect(root.querySelector('[role="status"]')?.textContent).toMatch(
				/wss:\/\/node\.example:4003 works after a reload/
			)
		);
		expect(reload).not.toHaveBeenCalled();
		expect(button(root, 'Reload now')).toBeDefined();
	});

	it('a hostile value: an alert in words, no Allow button, nothing stored', async () => {
		const { env } = environment('controlling');
		const root = render({
			url: "https://pins.example.org 'unsafe-inline'",
			store: new ApprovedOriginsStore(env),
			oncancel: () => {}
		});
		expect(root.querySelector('[role="alert"]')?.textContent).toMatch(/characters an address/);
		expect(button(root, 'Allow and reload')).toBeUndefined();
		expect(await listApprovedOrigins(PROD)).toEqual([]);
	});
});
