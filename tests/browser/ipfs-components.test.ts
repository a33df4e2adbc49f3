import { flushSync, mount, unmount, type Component } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { page } from 'vitest/browser';
import AddByCidForm from '../../src/lib/components/app/ipfs/AddByCidForm.svelte';
import CidDisplay from '../../src/lib/components/app/ipfs/CidDisplay.svelte';
import ExportCarButton from '../../src/lib/components/app/ipfs/ExportCarButton.svelte';
import { AppError } from '../../src/lib/errors';
import type { FetchByCidInput, FetchByCidResult, IpfsProgress } from '../../src/lib/ipfs';
import type { LocalModel } from '../../src/lib/storage/types';

const CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
let mounted: Record<string, unknown> | undefined;
afterEach(() => {
	if (mounted) void unmount(mounted);
	mounted = undefined;
	document.body.innerHTML = '';
});

function render<P extends Record<string, unknown>>(component: Component<P>, props: P) {
	const target = document.createElement('div');
	document.body.append(target);
	mounted = mount(component, { target, props });
	flushSync();
}

const model: LocalModel = {
	id: `ipfs/m@${CID}:m`,
	repoId: 'ipfs/m',
	revision: CID,
	variant: 'm',
	files: [{ path: 'm.gguf', size: 1, sha256: 'a'.repeat(64), cid: CID }],
	totalBytes: 1,
	source: 'ipfs',
	addedAt: 1,
	cid: CID
};

describe('IPFS components', () => {
	test('CID display: copy button with an accessible name, and what happened', async () => {
		const copied: string[] = [];
		render(CidDisplay, {
			cid: CID,
			of: 'tiny Q8_0',
			copy: (text: string) => (copied.push(text), Promise.resolve())
		});
		await expect.element(page.getByTestId('cid')).toHaveTextContent(CID);
		await page.getByRole('button', { name: 'Copy CID of tiny Q8_0' }).click();
		expect(copied).toEqual([CID]);
		await expect.element(page.getByRole('status')).toHaveTextContent('CID copied');
	});

	test('CID display: a refused clipboard says what to do', async () => {
		render(CidDisplay, { cid: CID, copy: () => Promise.reject(new Error('denied')) });
		await page.getByRole('button', { name: 'Copy CID' }).click();
		await expect.element(page.getByRole('status')).toHaveTextContent(/copy it by hand/);
	});

	test('add by CID: a bad CID is refused before any fetch; progress, then success', async () => {
		const calls: FetchByCidInput[] = [];
		let report: ((progress: IpfsProgress) => void) | undefined;
		let finish: ((result: FetchByCidResult) => void) | undefined;
		const added = vi.fn();
		render(AddByCidForm, {
			gateways: ['http://127.0.0.1:1'],
			onadded: added,
			fetchByCid: (input: FetchByCidInput, options: { onProgress?: (p: IpfsProgress) => void }) => {
				calls.push(input);
				report = options.onProgress;
				return new Promise<FetchByCidResult>((resolve) => (finish = resolve));
			}
		});
		await page.getByLabelText('CID', { exact: true }).fill('definitely not a cid');
		await page.getByRole('button', { name: 'Add model' }).click();
		await expect.element(page.getByText('is not a CID of a file or folder')).toBeVisible();
		expect(calls).toEqual([]);

		await page.getByLabelText('CID', { exact: true }).fill(` ${CID} `);
		await page.getByLabelText('Name (optional)').fill('my model');
		await page.getByRole('button', { name: 'Add model' }).click();
		await expect
			.poll(() => calls)
			.toEqual([{ cid: CID, gateways: ['http://127.0.0.1:1'], name: 'my model' }]);
		report?.({ phase: 'fetch', bytesDone: 1024 * 1024, totalBytes: 4 * 1024 * 1024 });
		const bar = page.getByRole('progressbar', { name: 'Fetching by CID' });
		await expect.element(bar).toHaveAttribute('aria-valuenow', String(1024 * 1024));
		await expect.element(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
		finish?.({ cid: CID, model });
		await expect
			.element(page.getByRole('status').filter({ hasText: 'ipfs/m m was verified and added.' }))
			.toBeVisible();
		expect(added).toHaveBeenCalledWith(model);
	});

	test('add by CID: a wrong block is shown as an alert; with no gateway it fetches from peers', async () => {
		render(AddByCidForm, {
			gateways: ['http://127.0.0.1:1'],
			fetchByCid: () =>
				Promise.reject(
					new AppError(
						'IPFS_BLOCK_INVALID',
						'The gateway sent a block that does not match its CID.'
					)
				)
		});
		await page.getByLabelText('CID', { exact: true }).fill(CID);
		await page.getByRole('button', { name: 'Add model' }).click();
		await expect.element(page.getByRole('alert')).toHaveTextContent('does not match its CID');
		void unmount(mounted!);
		mounted = undefined;
		document.body.innerHTML = '';

		// No gateway: the form still works, through this browser's peer.
		const calls: FetchByCidInput[] = [];
		render(AddByCidForm, {
			gateways: [],
			fetchByCid: (input: FetchByCidInput) => {
				calls.push(input);
				return Promise.reject(
					new AppError(
						'P2P_STALLED',
						'No device, peer or gateway sent the next block in 30 seconds.'
					)
				);
			}
		});
		await expect.element(page.getByText(/fetched from peers on the IPFS network/)).toBeVisible();
		await page.getByLabelText('CID', { exact: true }).fill(CID);
		await page.getByRole('button', { name: 'Add model' }).click();
		await expect.element(page.getByRole('alert')).toHaveTextContent('No device, peer or gateway');
		expect(calls).toEqual([{ cid: CID, gateways: [] }]);
	});

	test('export CAR: downloads a .car file; a failure is an alert', async () => {
		const created: Blob[] = [];
		const original = URL.createObjectURL;
		URL.createObjectURL = (blob: Blob) => (created.push(blob), original.call(URL, blob));
		try {
			render(ExportCarButton, {
				cid: CID,
				name: 'tiny',
				exportCar: () => Promise.resolve(new File([new Uint8Array(3)], `${CID}.car`))
			});
			await page.getByRole('button', { name: 'Export CAR of tiny' }).click();
			await expect.poll(() => created.length).toBe(1);
			expect(created[0]?.size).toBe(3);
		} finally {
			URL.createObjectURL = original;
		}
		void unmount(mounted!);
		mounted = undefined;
		render(ExportCarButton, {
			cid: CID,
			exportCar: () =>
				Promise.reject(new AppError('IPFS_BLOCK_INVALID', 'The stored model file changed.'))
		});
		await page.getByRole('button', { name: 'Export CAR' }).click();
		await expect
			.element(page.getByRole('alert'))
			.toHaveTextContent('The stored model file changed.');
	});
});
