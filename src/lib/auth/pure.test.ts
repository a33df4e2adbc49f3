import { describe, expect, test } from 'vitest';
import * as oauth from 'oauth4webapi';
import { PAT_PATTERN, mapOAuthError, safeReturnTo } from './flow';
import {
	MIN_REFRESH_INTERVAL_MS,
	REFRESH_AHEAD_MS,
	hubAuthHeaders,
	isExpired,
	refreshDueAt
} from './session';
import type { StoredSession } from './types';

const HUB = 'https://huggingface.co';
const TOKEN = 'hf_oauth_abcdefghijklmnopqrstuvwxyz0123456789';

describe('hubAuthHeaders', () => {
	test('adds Authorization only for the Hub origin', () => {
		expect(hubAuthHeaders(`${HUB}/api/whoami-v2`, HUB, TOKEN)).toEqual({
			Authorization: `Bearer ${TOKEN}`
		});
		expect(hubAuthHeaders('/api/models', HUB, TOKEN)).toEqual({ Authorization: `Bearer ${TOKEN}` });
		expect(hubAuthHeaders(new URL('/x/resolve/main/a.gguf', HUB), HUB, TOKEN)).toHaveProperty(
			'Authorization'
		);
	});
	test('never for other origins, look-alikes, other schemes or ports, or without a token', () => {
		for (const url of [
			'https://cdn-lfs.hf.co/repos/a/b',
			'https://cas-bridge.xethub.hf.co/x',
			'https://huggingface.co.evil.example/api',
			'http://huggingface.co/api',
			'https://huggingface.co:8443/api',
			'https://ipfs.io/ipfs/bafy',
			'//evil.example/api'
		])
			expect(hubAuthHeaders(url, HUB, TOKEN), url).toEqual({});
		expect(hubAuthHeaders(`${HUB}/api`, HUB, null)).toEqual({});
		expect(hubAuthHeaders('http://[bad', HUB, TOKEN)).toEqual({});
	});
});

test('safeReturnTo keeps same-origin paths only', () => {
	expect(safeReturnTo('/models/a/b?x=1#y')).toBe('/models/a/b?x=1#y');
	for (const bad of [
		'https://evil.example/',
		'//evil.example/',
		'/\\evil.example',
		'models',
		'',
		null
	])
		expect(safeReturnTo(bad)).toBe('/');
	expect(safeReturnTo('/auth/callback?code=x')).toBe('/');
});

test('PAT format', () => {
	expect(PAT_PATTERN.test('hf_AliceReadToken0123456789abcdefghij')).toBe(true);
	for (const bad of [
		'hf_short',
		'hf_with space 0123456789abcdefghijklmn',
		'xx_AliceReadToken0123456789abcdefghij'
	])
		expect(PAT_PATTERN.test(bad)).toBe(false);
});

test('isExpired', () => {
	const base = { expiresAt: 1000 } as StoredSession;
	expect(isExpired(base, 999)).toBe(false);
	expect(isExpired(base, 1000)).toBe(true);
	expect(isExpired({ ...base, expiresAt: null }, 1e15)).toBe(false);
});

describe('mapOAuthError', () => {
	test('network errors, refusals and provider errors get their own codes', () => {
		expect(mapOAuthError(new TypeError('Failed to fetch')).code).toBe('AUTH_NETWORK');
		const denied = new oauth.AuthorizationResponseError('x', {
			cause: new URLSearchParams('error=access_denied')
		});
		expect(mapOAuthError(denied).code).toBe('AUTH_ACCESS_DENIED');
		const other = new oauth.AuthorizationResponseError('x', {
			cause: new URLSearchParams('error=server_error')
		});
		expect(mapOAuthError(other).code).toBe('AUTH_PROVIDER_ERROR');
	});
	test('the cause keeps no response body (where a token could be)', () => {
		const error = new oauth.OperationProcessingError('bad', {
			code: oauth.INVALID_RESPONSE,
			cause: { body: { access_token: TOKEN } }
		});
		const mapped = mapOAuthError(error);
		expect(JSON.stringify(mapped)).not.toContain(TOKEN);
		expect(String(mapped.cause)).not.toContain(TOKEN);
		expect(JSON.stringify(Object.entries(mapped.cause as object))).not.toContain(TOKEN);
	});
});

describe('refreshDueAt', () => {
	const issuedAt = 1_000_000;
	const at = (lifetimeMs: number) => refreshDueAt({ issuedAt, expiresAt: issuedAt + lifetimeMs });
	test('Hub-length tokens: 5 minutes ahead', () => {
		expect(at(8 * 3600_000)).toBe(issuedAt + 8 * 3600_000 - REFRESH_AHEAD_MS);
	});
	test('tokens at or under the 5-minute margin: a quarter of their lifetime ahead, never at once', () => {
		expect(at(REFRESH_AHEAD_MS)).toBe(issuedAt + 0.75 * REFRESH_AHEAD_MS);
		expect(at(12_000)).toBe(issuedAt + 9_000);
		// A tiny lifetime: not before the minimum interval, but not after expiry either.
		expect(at(2_400)).toBe(issuedAt + MIN_REFRESH_INTERVAL_MS);
		expect(at(1_000)).toBe(issuedAt + 1_000);
		for (const lifetime of [1, 1_000, 60_000, REFRESH_AHEAD_MS, 8 * 3600_000])
			expect(at(lifetime)! - issuedAt, `${lifetime} ms`).toBeGreaterThan(0);
	});
	test('an already expired token is due now; one without expiry never', () => {
		expect(refreshDueAt({ issuedAt, expiresAt: issuedAt - 1000 })).toBe(issuedAt - 1000);
		expect(refreshDueAt({ issuedAt, expiresAt: null })).toBeNull();
	});
});
