import { beforeEach, describe, expect, it } from 'vitest';
import { openCitrateDB } from '../storage/db';
import {
	MAX_PAIRED_DEVICES,
	forgetPairedDevice,
	readPairedDevices,
	rememberPairedDevice,
	toPairedDevices
} from './paired-devices';

beforeEach(async () => {
	await (await openCitrateDB()).delete('settings', 'p2p.paired');
});

describe('paired devices', () => {
	it('are kept across reads, newest first, and a device paired again keeps its first record', async () => {
		expect(await readPairedDevices()).toEqual([]);
		await rememberPairedDevice({ peer: 'phone', how: 'sent', model: 'a/b', pairedAt: 1 });
		await rememberPairedDevice({ peer: 'node', how: 'node', pairedAt: 2 });
		await rememberPairedDevice({ peer: 'phone', how: 'received', pairedAt: 3 });
		expect(await readPairedDevices()).toEqual([
			{ peer: 'node', how: 'node', pairedAt: 2 },
			{ peer: 'phone', how: 'sent', model: 'a/b', pairedAt: 1 }
		]);
	});

	it('forgets one device and keeps the others', async () => {
		await rememberPairedDevice({ peer: 'phone', how: 'sent', pairedAt: 1 });
		await rememberPairedDevice({ peer: 'laptop', how: 'received', pairedAt: 2 });
		expect((await forgetPairedDevice('phone')).map((d) => d.peer)).toEqual(['laptop']);
		expect((await readPairedDevices()).map((d) => d.peer)).toEqual(['laptop']);
		expect(await forgetPairedDevice('nobody')).toHaveLength(1);
	});

	it('keeps at most the newest devices', async () => {
		for (let i = 0; i < MAX_PAIRED_DEVICES + 3; i++)
			await rememberPairedDevice({ peer: `d${i}`, how: 'sent', pairedAt: i });
		const kept = await readPairedDevices();
		expect(kept).toHaveLength(MAX_PAIRED_DEVICES);
		expect(kept[0]?.peer).toBe(`d${MAX_PAIRED_DEVICES + 2}`);
		expect(kept.some((d) => d.peer === 'd0')).toBe(false);
	});

	it('reads a damaged record as the devices it can understand', async () => {
		await (
			await openCitrateDB()
		).put('settings', {
			key: 'p2p.paired',
			value: [
				{ peer: 'phone', how: 'sent', pairedAt: 5, model: 42 },
				{ peer: '', how: 'sent', pairedAt: 1 },
				{ peer: 'x', how: 'stolen', pairedAt: 1 },
				{ peer: 'y', how: 'node', pairedAt: 'yesterday' },
				'garbage'
			] as never
		});
		expect(await readPairedDevices()).toEqual([{ peer: 'phone', how: 'sent', pairedAt: 5 }]);
		expect(toPairedDevices({ not: 'a list' })).toEqual([]);
	});
});
