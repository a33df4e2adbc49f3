import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { HubClient, nextLink, stripFrontMatter } from './client';
import { errorFromResponse, networkError, retryAfterSeconds } from './errors';
import { assertRepoId, encodePath, isValidRepoId } from './repo-id';

function response(status: number, headers: Record<string, string> = {}, body = ''): Response {
	return new Response(body || null, { status, headers });
}

describe('errorFromResponse', () => {
	test('gated, signed out (401 GatedRepo) → HUB_GATED needing sign-in', async () => {
		const error = await errorFromResponse(response(401, { 'X-Error-Code': 'GatedRepo' }), 'a/b');
		expect(error.code).toBe('HUB_GATED');
		expect(error.details).toMatchObject({ needsSignIn: true, status: 401, repoId: 'a/b' });
		expect(error.message).toMatch(/sign in/);
	});

	test('gated, token without approval (403 GatedRepo) → HUB_GATED asking for access', async () => {
		const error = await errorFromResponse(response(403, { 'X-Error-Code': 'GatedRepo' }), 'a/b');
		expect(error.code).toBe('HUB_GATED');
		expect(error.details?.needsSignIn).toBe(false);
		expect(error.message).toMatch(/request access/);
	});

	test('private or missing (401 without GatedRepo), 404 → HUB_NOT_FOUND; other 403 → HUB_FORBIDDEN', async () => {
		expect(
			(
				await errorFromResponse(
					response(401, { 'X-Error-Message': 'Invalid username or password.' })
				)
			).code
		).toBe('HUB_NOT_FOUND');
		expect((await errorFromResponse(response(404, { 'X-Error-Code': 'RepoNotFound' }))).code).toBe(
			'HUB_NOT_FOUND'
		);
		expect((await errorFromResponse(response(403))).code).toBe('HUB_FORBIDDEN');
	});

	test('429 → HUB_RATE_LIMITED with retryAfter seconds', async () => {
		const error = await errorFromResponse(response(429, { 'Retry-After': '7' }));
		expect(error.code).toBe('HUB_RATE_LIMITED');
		expect(error.details?.retryAfter).toBe(7);
		expect(error.message).toContain('7 s');
	});

	test('5xx → HUB_UNAVAILABLE', async () => {
		expect((await errorFromResponse(response(503))).code).toBe('HUB_UNAVAILABLE');
	});

	test('network failures: aborted, offline, unreachable', () => {
		const controller = new AbortController();
		controller.abort();
		expect(networkError(new TypeError('x'), controller.signal).code).toBe('ABORTED');
		expect(networkError(new TypeError('Failed to fetch')).code).toBe('HUB_UNAVAILABLE');
	});
});

describe('retryAfterSeconds', () => {
	test('Retry-After seconds or date, then RateLimit t=, then a default', () => {
		expect(retryAfterSeconds(new Headers({ 'Retry-After': '3' }))).toBe(3);
		expect(
			retryAfterSeconds(new Headers({ 'Retry-After': new Date(61_000).toUTCString() }), 1_000)
		).toBe(60);
		expect(retryAfterSeconds(new Headers({ RateLimit: '"api";r=0;t=42' }))).toBe(42);
		expect(retryAfterSeconds(new Headers())).toBe(10);
	});
});

describe('repo ids and paths', () => {
	test('valid and invalid ids', () => {
		for (const id of [
			'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF',
			'ggml-org/models',
			'a/b',
			'TheBloke/CodeLlama-7B-Instruct-GGUF'
		])
			expect(isValidRepoId(id)).toBe(true);
		for (const id of [
			'',
			'noslash',
			'a/b/c',
			'../etc',
			'a/..',
			'a b/c',
			'a/b?x=1',
			'a/b#c',
			'/a',
			'a//b',
			'a--b/c'
		])
			expect(isValidRepoId(id)).toBe(false);
		expect(() => assertRepoId('a/b/c')).toThrowError(AppError);
	});

	test('path segments are encoded, slashes kept', () => {
		expect(encodePath('Q4_K_M/model name#1?.gguf')).toBe('Q4_K_M/model%20name%231%3F.gguf');
	});

	test('resolve URLs never carry a token', () => {
		const client = new HubClient({
			hubUrl: 'https://hub.example/',
			getToken: () => Promise.resolve('hf_secret')
		});
		const url = client.resolveUrl('a/b', 'main', 'dir/x y.gguf');
		expect(url).toBe('https://hub.example/a/b/resolve/main/dir/x%20y.gguf');
		expect(() => client.resolveUrl('a/../b', 'main', 'x')).toThrowError(/owner\/name/);
	});
});

describe('search URL and paging', () => {
	test('search URL carries filters, sort and the expand block', () => {
		const client = new HubClient({ hubUrl: 'https://hub.example' });
		const url = new URL(
			client.searchUrl({
				search: ' coder ',
				ggufOnly: true,
				task: 'text-generation',
				sort: 'likes'
			})
		);
		expect(url.pathname).toBe('/api/models');
		expect(url.searchParams.get('search')).toBe('coder');
		expect(url.searchParams.get('filter')).toBe('gguf');
		expect(url.searchParams.get('pipeline_tag')).toBe('text-generation');
		expect(url.searchParams.get('sort')).toBe('likes');
		expect(url.searchParams.getAll('expand[]')).toContain('gguf');
		const any = new URL(
			client.searchUrl({ search: '', ggufOnly: false, task: '', sort: 'downloads' })
		);
		expect(any.searchParams.has('filter')).toBe(false);
		expect(any.searchParams.has('pipeline_tag')).toBe(false);
	});

	test('Link rel=next', () => {
		expect(
			nextLink('<https://hub.example/api/models?cursor=abc>; rel="next"', 'https://hub.example')
		).toBe('https://hub.example/api/models?cursor=abc');
		expect(
			nextLink(
				'</api/models?cursor=x>; rel="prev", </api/models?cursor=y>; rel="next"',
				'https://h.example'
			)
		).toBe('https://h.example/api/models?cursor=y');
		expect(nextLink(null, 'https://h.example')).toBeNull();
	});

	test('front matter is stripped from model cards', () => {
		expect(stripFrontMatter('---\nlicense: mit\ntags: [a]\n---\n# Title\n')).toBe('# Title\n');
		expect(stripFrontMatter('# No front matter\n---\n')).toBe('# No front matter\n---\n');
	});
});
