/**
 * The shell's "Sending" line: shown while this browser's peer sends blocks (who to, how fast),
 * gone once nothing was sent for the meter's window.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import SendingBanner from '../../src/lib/components/app/p2p/SendingBanner.svelte';
import { UploadMeter } from '../../src/lib/p2p/upload-activity';
import { UploadsStore } from '../../src/lib/stores/uploads.svelte';

let mounted: ReturnType<typeof mount> | undefined;

afterEach(() => {
	if (mounted) void unmount(mounted);
	mounted = undefined;
	document.body.innerHTML = '';
});

test('names the device being sent to and the rate, and goes away when sending stops', async () => {
	const meter = new UploadMeter(undefined, 1_500);
	const target = document.createElement('div');
	document.body.append(target);
	mounted = mount(SendingBanner, { target, props: { store: new UploadsStore(meter) } });
	flushSync();
	const status = page.getByRole('status', { name: 'Sending' });
	await expect.element(status).toBeEmptyDOMElement();

	meter.record('12D3KooWPhonePhonePhoneAbCdEfGh', 3_000_000);
	await expect.element(status).toHaveTextContent('Sending a model to device …AbCdEfGh · 2.00 MB/s');
	meter.record('12D3KooWLaptopLaptopLaptop12345678', 1_500_000);
	await expect.element(status).toHaveTextContent('Sending a model to 2 devices · 3.00 MB/s');
	await expect.element(status).toHaveTextContent('Keep Citrate open until it is done.');
	// Nothing more sent: gone after the window.
	await expect.element(page.getByTestId('sending')).not.toBeInTheDocument();
});

test('names the user’s own IPFS node as such (a remote pin fetching from this browser)', async () => {
	const meter = new UploadMeter(undefined, 1_500);
	const target = document.createElement('div');
	document.body.append(target);
	const node = '12D3KooWNodeNodeNodeNodeNode1234';
	const store = new UploadsStore(meter, async () => [{ peer: node, how: 'node', pairedAt: 1 }]);
	mounted = mount(SendingBanner, { target, props: { store } });
	flushSync();
	meter.record(node, 1_500_000);
	await expect
		.element(page.getByRole('status', { name: 'Sending' }))
		.toHaveTextContent('Sending a model to your IPFS node · 1.00 MB/s');
});
