/**
 * Settings → Peer to peer: both switches off by default, stored, and honoured by the peer's
 * options and its gater (private addresses refused until the user allows the local network).
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import PeerSettings from '../../src/lib/components/app/p2p/PeerSettings.svelte';
import { peerOptions, readPrivacy, savePrivacy } from '../../src/lib/p2p';
import { denyDial } from '../../src/lib/p2p/gater';

let mounted: ReturnType<typeof mount> | undefined;

function render() {
	const target = document.createElement('div');
	document.body.append(target);
	mounted = mount(PeerSettings, { target, props: {} });
	flushSync();
}

beforeEach(async () => {
	await savePrivacy({ servePublic: false, allowLocalNetwork: false });
});

afterEach(() => {
	if (mounted) void unmount(mounted);
	mounted = undefined;
	document.body.innerHTML = '';
});

const LAN = '/ip4/192.168.1.20/tcp/4003/ws';

function lanRefused(): boolean {
	const options = peerOptions();
	return denyDial({ allowedHosts: new Set(), allowPrivate: options.allowPrivate }, LAN);
}

test('both switches start off; turning them on is stored and honoured by the peer and its gater', async () => {
	render();
	const serve = page.getByRole('switch', { name: 'Serve my pinned models to the IPFS network' });
	const local = page.getByRole('switch', { name: 'Allow connections on the local network' });
	await expect.element(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	await expect.element(serve).not.toBeChecked();
	await expect.element(local).not.toBeChecked();
	expect(peerOptions().servePublic).toBe(false);
	expect(lanRefused()).toBe(true);

	await page.getByText('Allow connections on the local network', { exact: true }).click();
	await expect.poll(async () => (await readPrivacy()).allowLocalNetwork).toBe(true);
	expect(lanRefused()).toBe(false);
	expect(peerOptions().servePublic).toBe(false);

	await page.getByText('Serve my pinned models to the IPFS network', { exact: true }).click();
	await expect.poll(async () => (await readPrivacy()).servePublic).toBe(true);
	expect(peerOptions().servePublic).toBe(true);

	// Shown again as stored.
	if (mounted) void unmount(mounted);
	document.body.innerHTML = '';
	render();
	await expect.element(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	await expect.element(serve).toBeChecked();
	await expect.element(local).toBeChecked();

	await page.getByText('Allow connections on the local network', { exact: true }).click();
	await expect.poll(async () => (await readPrivacy()).allowLocalNetwork).toBe(false);
	expect(lanRefused()).toBe(true);
});
