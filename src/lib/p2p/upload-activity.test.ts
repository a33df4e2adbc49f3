import { describe, expect, it } from 'vitest';
import { UploadMeter, meterUploads } from './upload-activity';

describe('UploadMeter', () => {
	it('reports the peers sent to within the window, busiest first, with their rate', () => {
		let now = 0;
		const meter = new UploadMeter(() => now, 5_000);
		let heard = 0;
		meter.onSend(() => heard++);
		meter.record('phone', 2_000_000);
		now = 1_000;
		meter.record('laptop', 1_000_000);
		meter.record('phone', 3_000_000);
		meter.record('laptop', 0); // a message with no block: nothing sent
		expect(meter.active()).toEqual([
			{ peer: 'phone', bytes: 5_000_000, bytesPerSecond: 1_000_000 },
			{ peer: 'laptop', bytes: 1_000_000, bytesPerSecond: 200_000 }
		]);
		expect(heard).toBe(3);
		now = 5_500; // the first send to the phone left the window
		expect(meter.active().map((u) => [u.peer, u.bytes])).toEqual([
			['phone', 3_000_000],
			['laptop', 1_000_000]
		]);
		now = 6_001;
		expect(meter.active()).toEqual([]);
	});
});

describe('meterUploads', () => {
	it('records the blocks of each message once it went out, and nothing for a send that failed', async () => {
		const meter = new UploadMeter(() => 0);
		let fail = false;
		const network = {
			async sendMessage(_peer: { toString(): string }, _message: unknown): Promise<void> {
				if (fail) throw new Error('stream reset');
			}
		};
		const stop = meterUploads(network, meter);
		const peer = { toString: () => 'phone' };
		const block = (size: number) => ({ data: new Uint8Array(size) });
		await network.sendMessage(peer, {
			blocks: new Map([
				['a', block(10)],
				['b', block(5)]
			])
		});
		await network.sendMessage(peer, {});
		fail = true;
		await expect(
			network.sendMessage(peer, { blocks: new Map([['c', block(7)]]) })
		).rejects.toThrow();
		expect(meter.active()).toEqual([{ peer: 'phone', bytes: 15, bytesPerSecond: 3 }]);
		stop();
		fail = false;
		await network.sendMessage(peer, { blocks: new Map([['d', block(7)]]) });
		expect(meter.active()[0]?.bytes).toBe(15);
	});
});
