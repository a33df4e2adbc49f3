import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { memoryHubCache } from './cache';
import { HubClient } from './client';

const HUB = 'https://hub.example';
const MODEL = { id: 'a/b', sha: 'c'.repeat(40), siblings: [] };

/** A client whose fetch answers from `answer`, with the token `hf_secret` and a memory cache. */
function setup(answer: (url: string, init?: RequestInit) => Response) {
	const rejected: string[] = [];
	const cache = memoryHubCache();
	const client = new HubClient({
		hubUrl: HUB,
		getToken: () => Promise.resolve('hf_secret'),
		onTokenRejected: (token) => Promise.resolve(rejected.push(token)),
		fetch: (input, init) => Promise.resolve(answer(String(input), init)),
		cache
	});
	return { client, cache, rejected };
}

describe('HubClient and the session', () => {
	test('a 401 to a request with our token ends the session instead of "not found"', async () => {
		const { client, rejected } = setup(() =>
			Response.json({ error: 'Invalid credentials in Authorization header' }, { status: 401 })
		);
		const error = await client.getModel('a/b').catch((e: unknown) => e);
		expect(AppError.is(error, 'AUTH_SESSION_ENDED')).toBe(true);
		expect((error as AppError).message).toMatch(/sign in again/);
		expect(rejected).toEqual(['hf_secret']);
	});

	test('the anonymous gate (401 GatedRepo) and a 401 without a token are not a session end', async () => {
		const gated = setup(
			() => new Response(null, { status: 401, headers: { 'X-Error-Code': 'GatedRepo' } })
		);
		expect(await gated.client.checkAccess('a/b')).toBe('sign-in');
		const anonymous = setup(() => new Response(null, { status: 401 }));
		const error = await anonymous.client
			.search({ search: 'x', ggufOnly: true, task: '', sort: 'likes' })
			.catch((e: unknown) => e);
		expect(AppError.is(error, 'HUB_NOT_FOUND')).toBe(true);
		expect([...gated.rejected, ...anonymous.rejected]).toEqual([]);
	});

	test('responses fetched with the token are marked, and only they are dropped', async () => {
		const { client, cache } = setup((url) =>
			url.includes('/api/models?') ? Response.json([MODEL]) : Response.json(MODEL)
		);
		await client.search({ search: 'x', ggufOnly: true, task: '', sort: 'likes' });
		await client.getModel('a/b');
		expect(await cache.dropTokenEntries()).toBe(1);
		expect(await cache.get('model:a/b@')).toBeNull();
		const searchKey = `search:${client.searchUrl({ search: 'x', ggufOnly: true, task: '', sort: 'likes' })}`;
		expect(await cache.get(searchKey)).not.toBeNull();
	});
});
