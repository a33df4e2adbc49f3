import { describe, expect, it } from 'vitest';
import {
	DEFAULT_SEARCH,
	sameSearch,
	searchQueryFromParams,
	searchQueryToParams
} from './search-url';

const params = (text: string) => new URLSearchParams(text);

describe('search in the URL', () => {
	it('writes nothing for the default search', () => {
		expect(searchQueryToParams(DEFAULT_SEARCH).toString()).toBe('');
	});

	it('writes only what differs from the defaults', () => {
		expect(
			searchQueryToParams({
				search: ' qwen coder ',
				ggufOnly: false,
				task: '',
				sort: 'likes'
			}).toString()
		).toBe('q=qwen+coder&task=any&sort=likes&gguf=0');
		expect(searchQueryToParams({ ...DEFAULT_SEARCH, task: 'feature-extraction' }).toString()).toBe(
			'task=feature-extraction'
		);
	});

	it('reads back what it wrote', () => {
		for (const query of [
			DEFAULT_SEARCH,
			{ search: 'qwen coder', ggufOnly: false, task: '', sort: 'likes' as const },
			{
				search: 'llama',
				ggufOnly: true,
				task: 'image-text-to-text',
				sort: 'trendingScore' as const
			}
		])
			expect(searchQueryFromParams(searchQueryToParams(query))).toEqual(query);
	});

	it('falls back to the default for anything unknown or malformed', () => {
		expect(searchQueryFromParams(params('sort=best&task=<script>&gguf=maybe'))).toEqual(
			DEFAULT_SEARCH
		);
		expect(searchQueryFromParams(params('task=Text Generation')).task).toBe('text-generation');
		expect(searchQueryFromParams(params(`q=${'a'.repeat(500)}`)).search).toHaveLength(200);
		expect(searchQueryFromParams(params('gguf=false')).ggufOnly).toBe(false);
	});

	it('compares searches ignoring surrounding spaces', () => {
		expect(
			sameSearch({ ...DEFAULT_SEARCH, search: ' a ' }, { ...DEFAULT_SEARCH, search: 'a' })
		).toBe(true);
		expect(sameSearch(DEFAULT_SEARCH, { ...DEFAULT_SEARCH, sort: 'likes' })).toBe(false);
	});
});
