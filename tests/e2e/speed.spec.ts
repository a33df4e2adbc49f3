/**
 * "≈ N tok/s here" on the model page: the prediction from the stored calibration (stubbed here, so
 * the figure is known), scaled by each variant's size and type; a variant that fits but crawls says
 * so; and the stored calibration is reused, not measured again, while the browser and backend stay.
 */
import { expect, test, type Page } from '@playwright/test';
import { CALIBRATION_SETTING_KEY } from '../../src/lib/inference/speed-calibration-store';
import { SPEED_TABLE } from '../../src/lib/inference/speed-prediction';

const MODEL = 'citrate-test/tiny-llama-GGUF';

/** The app's `settings` store in IndexedDB: reads (or, with `value`, writes) one record. */
function setting(page: Page, key: string, value?: unknown): Promise<unknown> {
	return page.evaluate(
		async ([k, v, write]) => {
			// Wait for the app to have created its database (the theme reads its setting on start).
			for (;;) {
				const dbs = await indexedDB.databases();
				if (dbs.some((d) => d.name === 'citrate')) break;
				await new Promise((r) => setTimeout(r, 100));
			}
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('citrate');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			try {
				const tx = db.transaction('settings', write ? 'readwrite' : 'readonly');
				const store = tx.objectStore('settings');
				const request = write ? store.put({ key: k, value: v }) : store.get(k);
				return await new Promise((resolve, reject) => {
					request.onsuccess = () =>
						resolve(write ? null : ((request.result as { value?: unknown })?.value ?? null));
					request.onerror = () => reject(request.error);
				});
			} finally {
				db.close();
			}
		},
		[key, value ?? null, value !== undefined] as const
	);
}

/** Seeds the stored calibration for this browser and backend before the model page starts. */
async function stubCalibration(page: Page, score: number) {
	await page.goto('/');
	const identity = await page.evaluate(() => ({
		browser: navigator.userAgent,
		backend: `${crossOriginIsolated ? 'wasm-multi' : 'wasm-single'}:${navigator.hardwareConcurrency}`
	}));
	await setting(page, CALIBRATION_SETTING_KEY, {
		version: 1,
		...identity,
		score,
		measuredAt: '2026-01-01T00:00:00.000Z'
	});
}

const speedOf = (page: Page, variant: string) =>
	page.locator(`tr[data-variant="${variant}"] [data-speed]`);

test('each variant shows its predicted speed from the stored calibration', async ({ page }) => {
	await stubCalibration(page, SPEED_TABLE.referenceScore);
	await page.goto(`/models/${MODEL}`);
	const q4 = speedOf(page, 'Q4_K_M');
	await expect(q4).toHaveText(/^≈ \d+(\.\d)? tok\/s here$/, { timeout: 30_000 });
	// From the stored calibration (before it is read, the measured table is shown as it is).
	await expect(q4).toHaveAttribute('data-calibrated', 'true');
	const f16 = speedOf(page, 'F16');
	await expect(f16).toHaveText(/^≈ \d+(\.\d)? tok\/s here$/);
	// A tiny model: the fixed per-token cost dominates, so at the reference machine it is fast.
	expect(Number(await q4.getAttribute('data-speed'))).toBeGreaterThan(50);
	// Bigger weights, slower reply.
	expect(Number(await f16.getAttribute('data-speed'))).toBeLessThan(
		Number(await q4.getAttribute('data-speed'))
	);
	// The stub was used as stored, not measured again.
	const stored = await setting(page, CALIBRATION_SETTING_KEY);
	expect(stored).toMatchObject({
		score: SPEED_TABLE.referenceScore,
		measuredAt: '2026-01-01T00:00:00.000Z'
	});
});

test('a variant that fits but would crawl here gets a warning', async ({ page }) => {
	// A device ~2000× slower than the reference: even the tiny model crawls.
	await stubCalibration(page, SPEED_TABLE.referenceScore / 2000);
	await page.goto(`/models/${MODEL}`);
	const row = page.locator('tr[data-variant="Q4_K_M"]');
	await expect(row.locator('[data-verdict]')).toHaveAttribute('data-verdict', 'fits', {
		timeout: 30_000
	});
	await expect(row.locator('[data-speed]')).toHaveText(
		/^Fits, but ≈ \d+(\.\d)? tok\/s here: replies will be slow$/
	);
});

test('without a stored calibration the page measures one and stores it', async ({ page }) => {
	await page.goto(`/models/${MODEL}`);
	await expect(speedOf(page, 'Q4_K_M')).toHaveText(/tok\/s here/, { timeout: 30_000 });
	// The calibration lands in IndexedDB (no web storage), once measured.
	await expect
		.poll(
			async () => ((await setting(page, CALIBRATION_SETTING_KEY)) as { score?: number })?.score,
			{
				timeout: 30_000
			}
		)
		.toBeGreaterThan(0);
	const stored = (await setting(page, CALIBRATION_SETTING_KEY)) as { browser: string };
	expect(stored.browser).toBe(await page.evaluate(() => navigator.userAgent));
	expect(await page.evaluate(() => localStorage.length)).toBe(0);
});
