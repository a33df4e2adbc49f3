/**
 * Settings → Peer to peer: both switches off by default, stored, and honoured by the peer's
 * options and its gater (private addresses refused until the user allows the local network); the
 * upload limit (none by default) stored and read by the peer on every want; paired devices
 * listed and forgotten; "reachable by paired devices" on by default.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openCitrateDB } from '../../src/lib/storage/db';
import { page } from 'vitest/browser';
import PeerSettings from '../../src/lib/components/app/p2p/PeerSettings.svelte';
import { peerOptions, readPrivacy, savePrivacy } from '../../src/lib/p2p';
import { denyDial } from '../../src/lib/p2p/gater';
import { readPairedDevices, rememberPairedDevice } from '../../src/lib/p2p/paired-devices';

const db = () => openCitrateDB();

let mounted: ReturnType<typeof mount> | undefined;

function render() {
	const target = document.createElement('div');
	document.body.append(target);
	mounted = mount(PeerSettings, { target, props: {} });
	flushSync();
}

beforeEach(async () => {
	await savePrivacy({
		servePublic: false,
		allowLocalNetwork: false,
		uploadLimit: null,
		reachable: true
	});
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

test('the upload limit starts at none; a choice is stored, read by the peer at once, and shown again', async () => {
	render();
	const limit = page.getByRole('combobox', { name: 'Upload limit' });
	await expect.element(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	await expect.element(limit).toHaveValue('none');
	const uploadLimit = peerOptions().uploadLimit;
	expect(uploadLimit()).toBeNull();

	await limit.selectOptions('5 MB/s');
	await expect.poll(async () => (await readPrivacy()).uploadLimit).toBe(5_000_000);
	// The running peer's getter sees the new limit: no restart.
	expect(uploadLimit()).toBe(5_000_000);
	expect((await readPrivacy()).servePublic).toBe(false);

	if (mounted) void unmount(mounted);
	document.body.innerHTML = '';
	render();
	await expect.element(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	await expect.element(limit).toHaveValue(String(5_000_000));

	await limit.selectOptions('No limit');
	await expect.poll(async () => (await readPrivacy()).uploadLimit).toBeNull();
	expect(uploadLimit()).toBeNull();
});

test('a stored limit that is not a positive number reads as no limit', async () => {
	const db = await openCitrateDB();
	for (const bad of [0, -1, 'fast', Number.NaN]) {
		await db.put('settings', { key: 'p2p.privacy', value: { uploadLimit: bad } });
		expect((await readPrivacy()).uploadLimit).toBeNull();
	}
});

test('a stored limit reads as the offered limit nearest to it (binary megabytes stored before)', async () => {
	const db = await openCitrateDB();
	for (const [stored, read] of [
		[1024 * 1024, 1_000_000],
		[5 * 1024 * 1024, 5_000_000],
		[25 * 1024 * 1024, 25_000_000],
		[3_000_000, 2_000_000],
		[400_000_000, 25_000_000],
		[1, 1_000_000]
	]) {
		await db.put('settings', { key: 'p2p.privacy', value: { uploadLimit: stored } });
		expect((await readPrivacy()).uploadLimit).toBe(read);
	}
});

test('a choice saved in another tab applies to the peer in this one at once, and Settings shows it', async () => {
	render();
	await expect.element(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	const limit = page.getByRole('combobox', { name: 'Upload limit' });
	const local = page.getByRole('switch', { name: 'Allow connections on the local network' });
	const uploadLimit = peerOptions().uploadLimit;
	expect(uploadLimit()).toBeNull();
	// Another tab of Citrate: its savePrivacy posts on this channel.
	const otherTab = new BroadcastChannel('citrate.p2p.privacy');
	otherTab.postMessage({
		servePublic: false,
		allowLocalNetwork: true,
		uploadLimit: 2_000_000
	});
	await expect.poll(() => uploadLimit()).toBe(2_000_000);
	expect(lanRefused()).toBe(false);
	await expect.element(limit).toHaveValue(String(2_000_000));
	await expect.element(local).toBeChecked();
	// What is not understood is the default.
	otherTab.postMessage({ uploadLimit: 'fast' });
	await expect.poll(() => uploadLimit()).toBeNull();
	expect(lanRefused()).toBe(true);
	await expect.element(limit).toHaveValue('none');
	await expect.element(local).not.toBeChecked();
	otherTab.close();
});

test('paired devices are listed with how they were paired; Forget removes one here and tells other tabs', async () => {
	await (await openCitrateDB()).delete('settings', 'p2p.paired');
	render();
	const list = page.getByTestId('paired-devices');
	await expect.element(list).toHaveAttribute('data-loaded', 'true');
	await expect.element(list.getByText('No paired devices yet.')).toBeVisible();
	const phone = '12D3KooWPhonePhonePhonePhonePhonePhonePhone1';
	const node = '12D3KooWNodeNodeNodeNodeNodeNodeNodeNodeNode2';
	await rememberPairedDevice({ peer: phone, how: 'sent', model: 'org/chat-GGUF', pairedAt: 2 });
	await rememberPairedDevice({ peer: node, how: 'node', pairedAt: 1 });
	// Another tab paired them (its peer stored each and said so on this channel).
	const otherTab = new BroadcastChannel('citrate.p2p.paired');
	const heard: unknown[] = [];
	otherTab.onmessage = (event) => heard.push(event.data);
	otherTab.postMessage({});
	await expect.element(list.getByText('You sent it org/chat-GGUF')).toBeVisible();
	await expect.element(list.getByText('Your IPFS node or pinning service')).toBeVisible();

	await page.getByRole('button', { name: `Forget device …${phone.slice(-8)}` }).click();
	await expect.element(list.getByText('You sent it org/chat-GGUF')).not.toBeInTheDocument();
	const kept = (await readPairedDevices()).map((d) => d.peer);
	expect(kept).toContain(node);
	expect(kept).not.toContain(phone);
	// The tab running the peer hears which device to stop serving.
	await expect.poll(() => heard).toContainEqual({ forgot: phone });
	otherTab.close();
	// Nothing paired is left behind for the other tests (a paired device starts the peer).
	await (await db()).delete('settings', 'p2p.paired');
});

test('"reachable by paired devices" starts on and is stored when turned off', async () => {
	render();
	const reachable = page.getByRole('switch', {
		name: 'Let my paired devices reach this browser while Citrate is open'
	});
	await expect.element(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	await expect.element(reachable).toBeChecked();
	await page.getByText('Let my paired devices reach this browser while Citrate is open').click();
	await expect.poll(async () => (await readPrivacy()).reachable).toBe(false);
	// Choices stored before this switch existed read as on.
	await (await db()).put('settings', { key: 'p2p.privacy', value: {} });
	expect((await readPrivacy()).reachable).toBe(true);
});
