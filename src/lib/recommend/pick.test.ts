import { describe, expect, test } from 'vitest';
import type { FitEstimate, ModelVariant } from '../hub';
import { pickQuickStart, whyNot, type RatedModel } from './pick';

const variant = { label: 'Q4_K_M', key: 'k', files: [] } as unknown as ModelVariant;
const fit = (verdict: FitEstimate['verdict'], failing = false): FitEstimate =>
	({
		verdict,
		totalBytes: 9 * 1024 ** 3,
		checks: failing
			? [{ id: 'wasm', label: 'WebAssembly memory (wasm32)', status: 'fail' }]
			: [{ id: 'memory', label: 'Device memory', status: 'ok' }]
	}) as unknown as FitEstimate;
const model = (
	id: string,
	speed: number,
	verdict: FitEstimate['verdict'] = 'fits'
): RatedModel => ({
	id,
	tier: 'browser',
	variant,
	fit: fit(verdict),
	speed
});

describe('Quick start choice', () => {
	test('the first browser model that fits and runs at a usable speed here', () => {
		const list = [model('a/1.5b', 4), model('b/1b', 7), model('c/0.5b', 14)];
		expect(pickQuickStart(list)?.id).toBe('b/1b');
	});

	test('none usable: the fastest that fits; none fits: nothing', () => {
		expect(pickQuickStart([model('a', 2), model('b', 3), model('c', 9, 'tight')])?.id).toBe('b');
		expect(pickQuickStart([model('a', 20, 'wont-fit')])).toBeNull();
		expect(pickQuickStart([{ ...model('big', 50), tier: 'large' }])).toBeNull();
	});
});

describe('why a model does not suit a browser', () => {
	test('too big names the limit; too slow gives the speed; otherwise nothing', () => {
		expect(whyNot({ fit: fit('wont-fit', true), speed: 1 })).toBe(
			'Needs 9.00 GiB: more than WebAssembly memory (wasm32) allows here.'
		);
		expect(whyNot({ fit: fit('fits'), speed: 0.8 })).toBe(
			'about 0.8 tok/s on this device’s CPU: too slow for a chat in the browser.'
		);
		expect(whyNot({ fit: fit('fits'), speed: 30 })).toBeNull();
	});
});
