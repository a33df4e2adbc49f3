/**
 * Paired devices across restarts: the peer started when Citrate opens (only with a paired device
 * and "reachable" on) serves the devices paired before, keeps each new pairing, and stops serving
 * a device the moment the user forgets it.
 */
import { afterAll, beforeEach, expect, test } from 'vitest';
import {
	DEFAULT_PRIVACY,
	forgetDevice,
	runningPeer,
	savePrivacy,
	stayReachable,
	stopPeer
} from '../../src/lib/p2p';
import { readPairedDevices, rememberPairedDevice } from '../../src/lib/p2p/paired-devices';
import { openCitrateDB } from '../../src/lib/storage/db';

beforeEach(async () => {
	await (await openCitrateDB()).delete('settings', 'p2p.paired');
	await savePrivacy({ ...DEFAULT_PRIVACY });
});

afterAll(async () => {
	await stopPeer();
	await (await openCitrateDB()).delete('settings', 'p2p.paired');
});

test('with no paired device, opening Citrate starts no peer', async () => {
	await stayReachable();
	expect(runningPeer()).toBeUndefined();
});

test('"reachable" off starts nothing; turned on, the peer starts at once, serves the devices paired before, keeps new pairings and stops serving a forgotten one at once', async () => {
	await rememberPairedDevice({ peer: 'laptop', how: 'received', model: 'org/a-GGUF', pairedAt: 1 });
	await savePrivacy({ ...DEFAULT_PRIVACY, reachable: false });
	await stayReachable();
	expect(runningPeer()).toBeUndefined();

	// As Settings saves it: applies at once.
	await savePrivacy({ ...DEFAULT_PRIVACY, reachable: true });
	await expect.poll(() => runningPeer(), { timeout: 30_000 }).toBeDefined();
	const peer = await runningPeer()!;
	expect(peer.serving.mayServe('laptop')).toBe(true);
	expect(peer.serving.mayServe('stranger')).toBe(false);

	peer.serving.pair('phone', { how: 'sent', model: 'org/b-GGUF' });
	await expect
		.poll(async () => (await readPairedDevices()).find((d) => d.peer === 'phone'))
		.toMatchObject({ how: 'sent', model: 'org/b-GGUF' });

	await forgetDevice('laptop');
	expect(peer.serving.mayServe('laptop')).toBe(false);
	expect(peer.serving.mayServe('phone')).toBe(true);
	const kept = (await readPairedDevices()).map((d) => d.peer);
	expect(kept).toContain('phone');
	expect(kept).not.toContain('laptop');
});
