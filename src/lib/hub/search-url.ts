import type { SearchQuery, SearchSort } from './types';

/**
 * A Hub search in the page's URL (`/models?q=coder&sort=likes`), so a reload, a bookmark or a
 * shared link shows the same results. Only what differs from the defaults is written.
 */
export const DEFAULT_SEARCH: Readonly<SearchQuery> = {
	search: '',
	ggufOnly: true,
	task: 'text-generation',
	sort: 'downloads'
};

const SORTS: readonly SearchSort[] = ['downloads', 'likes', 'trendingScore', 'lastModified'];
/** A Hub pipeline tag: lower-case words joined by dashes. */
const TASK_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** `task=any`: every task (the query's empty task). */
const ANY_TASK = 'any';
const MAX_SEARCH_LENGTH = 200;

export function searchQueryToParams(query: SearchQuery): URLSearchParams {
	const params = new URLSearchParams();
	const text = query.search.trim();
	if (text) params.set('q', text);
	if (query.task !== DEFAULT_SEARCH.task) params.set('task', query.task || ANY_TASK);
	if (query.sort !== DEFAULT_SEARCH.sort) params.set('sort', query.sort);
	if (!query.ggufOnly) params.set('gguf', '0');
	return params;
}

/** Reads a search from URL parameters; anything unknown or malformed falls back to its default. */
export function searchQueryFromParams(params: URLSearchParams): SearchQuery {
	const task = params.get('task');
	const sort = params.get('sort');
	const gguf = params.get('gguf');
	return {
		search: (params.get('q') ?? '').trim().slice(0, MAX_SEARCH_LENGTH),
		task: task === ANY_TASK ? '' : task && TASK_PATTERN.test(task) ? task : DEFAULT_SEARCH.task,
		sort: SORTS.includes(sort as SearchSort) ? (sort as SearchSort) : DEFAULT_SEARCH.sort,
		ggufOnly: !(gguf === '0' || gguf === 'false')
	};
}

export function sameSearch(a: SearchQuery, b: SearchQuery): boolean {
	return (
		a.search.trim() === b.search.trim() &&
		a.task === b.task &&
		a.sort === b.sort &&
		a.ggufOnly === b.ggufOnly
	);
}
