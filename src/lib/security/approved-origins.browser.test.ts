import { beforeEach, describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { openCitrateDB } from '../storage/db';
import {
	APPROVED_ORIGINS_SETTING_KEY,
	approveOrigin,
	listApprovedOrigins,
	revokeOrigin
} from './approved-origins';
import { MAX_APPROVED_ORIGINS } from './origin-parse';

const PROD = { allowLoopbackHttp: false };

beforeEach(async () => {
	await (await openCitrateDB()).delete('settings', APPROVED_ORIGINS_SETTING_KEY);
});

describe('approved origins in IndexedDB settings', () => {
	test('approve stores the origin once; revoke removes it', async () => {
		expect(await approveOrigin('https://pins.example.org/api/v1', PROD)).toBe(
			'https://pins.example.org'
		);
		await approveOrigin('wss://node.example:4003', PROD);
		await approveOrigin('https://PINS.example.org', PROD);
		expect(await listApprovedOrigins(PROD)).toEqual([
			'https://pins.example.org',
			'wss://node.example:4003'
		]);
		await revokeOrigin('https://pins.example.org', PROD);
		expect(await listApprovedOrigins(PROD)).toEqual(['wss://node.example:4003']);
	});

	test('a hostile value is refused and nothing is stored', async () => {
		await expect(approveOrigin("https://a.example 'unsafe-inline'", PROD)).rejects.toSatisfy(
			(error) => AppError.is(error, 'CSP_ORIGIN_INVALID')
		);
		await expect(approveOrigin('http://127.0.0.1:9000', PROD)).rejects.toBeInstanceOf(AppError);
		expect(await listApprovedOrigins(PROD)).toEqual([]);
	});

	test('tampered storage: only safe origins are listed', async () => {
		await (
			await openCitrateDB()
		).put('settings', {
			key: APPROVED_ORIGINS_SETTING_KEY,
			value: ['*', "'unsafe-inline'", 'https://ok.example', 42, 'https://a.example; script-src *']
		});
		expect(await listApprovedOrigins(PROD)).toEqual(['https://ok.example']);
		await (
			await openCitrateDB()
		).put('settings', { key: APPROVED_ORIGINS_SETTING_KEY, value: 'https://ok.example' });
		expect(await listApprovedOrigins(PROD)).toEqual([]);
	});

	test(`at most ${MAX_APPROVED_ORIGINS} origins`, async () => {
		for (let i = 0; i < MAX_APPROVED_ORIGINS; i++)
			await approveOrigin(`https://n${i}.example`, PROD);
		await expect(approveOrigin('https://one-more.example', PROD)).rejects.toThrow(
			/Remove one you no longer use/
		);
		expect(await listApprovedOrigins(PROD)).toHaveLength(MAX_APPROVED_ORIGINS);
	});
});
