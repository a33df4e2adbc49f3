/**
 * The Hub REST client: search, model info, file tree, access check, README, remote GGUF header.
 * Every call takes `{ signal }`; repo ids are validated and path segments encoded; failures become
 * AppErrors (errors.ts). Search pages, model info and GGUF headers are cached (cache.ts) and served
 * from there, marked `cached`, when the Hub cannot be reached.
 */
import { gguf } from '@huggingface/gguf';
import { listFiles as hubListFiles } from '@huggingface/hub';
import { SESSION_ENDED_MESSAGE, hubAuthHeaders } from '../auth';
import { AppError, toAppError } from '../errors';
import type { HubCache } from './cache';
import { errorFromResponse, networkError } from './errors';
import { summarizeGguf } from './gguf-summary';
import { assertRepoId, encodePath, encodeRevision } from './repo-id';
import type {
	Cached,
	GatedMode,
	GgufSummary,
	HubFile,
	ModelInfo,
	ModelSummary,
	SearchPage,
	SearchQuery
} from './types';

export interface HubClientOptions {
	hubUrl: string;
	/** The signed-in user's token (sent to the Hub origin only), or null. */
	getToken?: () => Promise<string | null>;
	/**
	 * The Hub answered 401 to a request that carried `token`: the session is over (revoked or
	 * expired at the Hub). The call itself then fails with `AUTH_SESSION_ENDED`.
	 */
	onTokenRejected?: (token: string) => Promise<unknown>;
	fetch?: typeof fetch;
	cache?: HubCache | null;
}

export interface CallOptions {
	signal?: AbortSignal;
}

/** What the signed-in (or anonymous) user may do with a repo's files. */
export type RepoAccess = 'granted' | 'sign-in' | 'request-access' | 'not-found';

const SEARCH_EXPAND = [
	'author',
	'downloads',
	'likes',
	'lastModified',
	'gated',
	'private',
	'pipeline_tag',
	'tags',
	'gguf'
] as const;

export const SEARCH_PAGE_SIZE = 20;

interface RawGguf {
	total?: number;
	architecture?: string;
	context_length?: number;
}

interface RawModel {
	id?: unknown;
	modelId?: unknown;
	author?: unknown;
	sha?: unknown;
	downloads?: unknown;
	likes?: unknown;
	lastModified?: unknown;
	gated?: unknown;
	private?: unknown;
	pipeline_tag?: unknown;
	tags?: unknown;
	gguf?: RawGguf;
	cardData?: unknown;
	siblings?: {
		rfilename?: unknown;
		size?: unknown;
		blobId?: unknown;
		lfs?: { sha256?: unknown; size?: unknown };
	}[];
	safetensors?: { total?: unknown };
}

function asNumber(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function asString(value: unknown): string | null {
	return typeof value === 'string' && value.length > 0 ? value : null;
}

function parseSummary(raw: RawModel): ModelSummary {
	const id = asString(raw.id) ?? asString(raw.modelId);
	if (!id) throw new AppError('HUB_BAD_RESPONSE', 'The Hub sent a model without an id.');
	const gated: GatedMode = raw.gated === 'auto' || raw.gated === 'manual' ? raw.gated : false;
	return {
		id,
		author: asString(raw.author) ?? id.split('/')[0] ?? '',
		downloads: asNumber(raw.downloads) ?? 0,
		likes: asNumber(raw.likes) ?? 0,
		lastModified: asString(raw.lastModified),
		gated,
		private: raw.private === true,
		pipelineTag: asString(raw.pipeline_tag),
		tags: Array.isArray(raw.tags)
			? raw.tags.filter((tag): tag is string => typeof tag === 'string')
			: [],
		parameterCount: asNumber(raw.gguf?.total) ?? asNumber(raw.safetensors?.total),
		contextLength: asNumber(raw.gguf?.context_length),
		architecture: asString(raw.gguf?.architecture)
	};
}

function parseInfo(raw: RawModel): ModelInfo {
	const summary = parseSummary(raw);
	const sha = asString(raw.sha);
	if (!sha) throw new AppError('HUB_BAD_RESPONSE', 'The Hub sent model info without a commit.');
	const cardData =
		typeof raw.cardData === 'object' && raw.cardData !== null
			? (raw.cardData as Record<string, unknown>)
			: null;
	const license =
		asString(cardData?.license) ??
		summary.tags.find((tag) => tag.startsWith('license:'))?.slice('license:'.length) ??
		null;
	const files: HubFile[] = (raw.siblings ?? []).flatMap((sibling) => {
		const path = asString(sibling.rfilename);
		if (!path) return [];
		return [
			{
				path,
				size: asNumber(sibling.lfs?.size) ?? asNumber(sibling.size) ?? 0,
				sha256: asString(sibling.lfs?.sha256),
				oid: asString(sibling.blobId) ?? ''
			}
		];
	});
	return { ...summary, sha, license, cardData, files };
}

/** Strips a YAML front-matter block from a model card. */
export function stripFrontMatter(markdown: string): string {
	return markdown.replace(/^\uFEFF?---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/, '');
}

export class HubClient {
	readonly hubUrl: string;
	readonly #getToken: () => Promise<string | null>;
	readonly #onTokenRejected: (token: string) => Promise<unknown>;
	readonly #fetch: typeof fetch;
	readonly #cache: HubCache | null;

	constructor(options: HubClientOptions) {
		this.hubUrl = options.hubUrl.replace(/\/+$/, '');
		this.#getToken = options.getToken ?? (() => Promise.resolve(null));
		this.#onTokenRejected = options.onTokenRejected ?? (() => Promise.resolve());
		this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
		this.#cache = options.cache ?? null;
	}

	/** A Hub URL from already-encoded path parts. */
	url(path: string): string {
		return `${this.hubUrl}${path.startsWith('/') ? '' : '/'}${path}`;
	}

	/** `/{id}/resolve/{rev}/{path}` — the download URL of one file (no token in it, ever). */
	resolveUrl(repoId: string, revision: string, path: string): string {
		assertRepoId(repoId);
		return this.url(`/${repoId}/resolve/${encodeRevision(revision)}/${encodePath(path)}`);
	}

	/** The model's page on the Hub (where access to gated repos is requested). */
	modelPageUrl(repoId: string): string {
		assertRepoId(repoId);
		return this.url(`/${repoId}`);
	}

	/**
	 * The error for a non-OK answer. A 401 to a request that carried our token (and is not the
	 * anonymous gate) means the Hub no longer accepts the token: the session ends at once.
	 */
	async #failure(response: Response, sentToken: string | null, repoId?: string): Promise<AppError> {
		if (
			response.status === 401 &&
			sentToken !== null &&
			response.headers.get('x-error-code') !== 'GatedRepo'
		) {
			await this.#onTokenRejected(sentToken).catch(() => undefined);
			return new AppError('AUTH_SESSION_ENDED', SESSION_ENDED_MESSAGE, {
				details: { status: 401, ...(repoId ? { repoId } : {}) }
			});
		}
		return errorFromResponse(response, repoId);
	}

	/**
	 * fetch with the signal and (for the Hub origin) the token; non-OK answers throw AppErrors.
	 * `token`: the token to send (already read by the caller); otherwise it is read here unless
	 * `auth` is false.
	 */
	async #request(
		url: string,
		options: CallOptions & {
			auth?: boolean;
			token?: string | null;
			repoId?: string;
			headers?: Record<string, string>;
		} = {}
	): Promise<Response> {
		const token =
			options.token !== undefined
				? options.token
				: options.auth === false
					? null
					: await this.#getToken();
		const auth = hubAuthHeaders(url, this.hubUrl, token);
		let response: Response;
		try {
			response = await this.#fetch(url, {
				signal: options.signal,
				headers: { Accept: 'application/json', ...options.headers, ...auth }
			});
		} catch (error) {
			throw networkError(error, options.signal);
		}
		if (!response.ok)
			throw await this.#failure(response, auth.Authorization ? token : null, options.repoId);
		return response;
	}

	async #json<T>(response: Response): Promise<T> {
		try {
			return (await response.json()) as T;
		} catch (error) {
			throw new AppError('HUB_BAD_RESPONSE', 'The Hub sent a response that is not valid JSON.', {
				cause: error
			});
		}
	}

	/**
	 * Loads with the user's token (or none, when `auth` is false) and caches the answer, marked as
	 * fetched with a token or not; serves the cached value when the Hub cannot be reached.
	 */
	async #withCache<T>(
		key: string,
		load: (token: string | null) => Promise<T>,
		options: { auth?: boolean } = {}
	): Promise<Cached<T>> {
		try {
			const token = options.auth === false ? null : await this.#getToken();
			const value = await load(token);
			await this.#cache?.put(key, value, { withToken: token !== null });
			return { value, cached: false };
		} catch (error) {
			const appError = toAppError(error);
			if ((appError.code === 'OFFLINE' || appError.code === 'HUB_UNAVAILABLE') && this.#cache) {
				const entry = await this.#cache.get<T>(key);
				if (entry) return { value: entry.value, cached: true, storedAt: entry.storedAt };
			}
			throw appError;
		}
	}

	searchUrl(query: SearchQuery): string {
		const params = new URLSearchParams();
		if (query.search.trim()) params.set('search', query.search.trim());
		if (query.ggufOnly) params.set('filter', 'gguf');
		if (query.task) params.set('pipeline_tag', query.task);
		params.set('sort', query.sort);
		params.set('direction', '-1');
		params.set('limit', String(query.limit ?? SEARCH_PAGE_SIZE));
		for (const field of SEARCH_EXPAND) params.append('expand[]', field);
		return this.url(`/api/models?${params.toString()}`);
	}

	/**
	 * One page of search results. Pass `next` (from a previous page) to continue; works signed out
	 * (no token is sent, so results and their cache are the same for everyone).
	 */
	async search(
		query: SearchQuery,
		options: CallOptions & { next?: string | null } = {}
	): Promise<SearchPage> {
		const url = options.next ?? this.searchUrl(query);
		if (new URL(url).origin !== new URL(this.hubUrl).origin)
			throw new AppError('HUB_BAD_RESPONSE', 'The Hub sent a next-page link to another site.');
		const result = await this.#withCache(
			`search:${url}`,
			async () => {
				const response = await this.#request(url, { signal: options.signal, auth: false });
				const raw = await this.#json<unknown>(response);
				if (!Array.isArray(raw))
					throw new AppError(
						'HUB_BAD_RESPONSE',
						'The Hub sent search results in an unknown shape.'
					);
				const models = (raw as RawModel[]).map(parseSummary);
				return { models, next: nextLink(response.headers.get('link'), this.hubUrl) };
			},
			{ auth: false }
		);
		return {
			...result.value,
			cached: result.cached,
			...(result.storedAt ? { storedAt: result.storedAt } : {})
		};
	}

	/** Model info with every file's size and SHA-256 (`blobs=true`), at `revision` (default: main). */
	async getModel(
		repoId: string,
		options: CallOptions & { revision?: string } = {}
	): Promise<Cached<ModelInfo>> {
		assertRepoId(repoId);
		const path = options.revision
			? `/api/models/${repoId}/revision/${encodeRevision(options.revision)}`
			: `/api/models/${repoId}`;
		return this.#withCache(`model:${repoId}@${options.revision ?? ''}`, async (token) => {
			const response = await this.#request(this.url(`${path}?blobs=true`), {
				signal: options.signal,
				token,
				repoId
			});
			return parseInfo(await this.#json<RawModel>(response));
		});
	}

	/** Every file of the repo at `revision` (recursive tree, all pages), via `@huggingface/hub`. */
	async listFiles(repoId: string, options: CallOptions & { revision: string }): Promise<HubFile[]> {
		assertRepoId(repoId);
		const files: HubFile[] = [];
		const entries = hubListFiles({
			repo: { type: 'model', name: repoId },
			revision: encodeRevision(options.revision),
			recursive: true,
			hubUrl: this.hubUrl,
			fetch: (input, init) =>
				this.#request(
					typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
					{
						signal: options.signal,
						repoId,
						headers: Object.fromEntries(new Headers(init?.headers).entries())
					}
				)
		});
		for await (const entry of entries) {
			if (entry.type !== 'file') continue;
			files.push({
				path: entry.path,
				size: entry.lfs?.size ?? entry.size,
				sha256: entry.lfs?.oid ?? null,
				oid: entry.oid ?? ''
			});
		}
		return files;
	}

	/** Whether the current user may download the repo's files. */
	async checkAccess(repoId: string, options: CallOptions = {}): Promise<RepoAccess> {
		assertRepoId(repoId);
		try {
			await this.#request(this.url(`/api/models/${repoId}/auth-check`), {
				signal: options.signal,
				repoId
			});
			return 'granted';
		} catch (error) {
			if (AppError.is(error, 'HUB_GATED'))
				return error.details?.needsSignIn === true ? 'sign-in' : 'request-access';
			if (AppError.is(error, 'HUB_NOT_FOUND')) return 'not-found';
			throw error;
		}
	}

	/** The model card (README.md) at a commit, without its YAML front matter; null when there is none. */
	async readme(
		repoId: string,
		revision: string,
		options: CallOptions = {}
	): Promise<Cached<string | null>> {
		const url = this.resolveUrl(repoId, revision, 'README.md');
		return this.#withCache(`readme:${repoId}@${revision}`, async (token) => {
			try {
				const response = await this.#request(url, {
					signal: options.signal,
					token,
					repoId,
					headers: { Accept: 'text/plain' }
				});
				return stripFrontMatter(await response.text());
			} catch (error) {
				if (AppError.is(error, 'HUB_NOT_FOUND')) return null;
				throw error;
			}
		});
	}

	/**
	 * The GGUF header of one file (the first shard of a variant), read remotely with Range requests.
	 * Keyed by commit, so a cached header never goes stale.
	 */
	async ggufHeader(
		repoId: string,
		revision: string,
		path: string,
		options: CallOptions & { fileSize?: number } = {}
	): Promise<Cached<GgufSummary>> {
		const url = this.resolveUrl(repoId, revision, path);
		const key = `gguf:${repoId}@${revision}/${path}`;
		const hit = /^[0-9a-f]{40}$/.test(revision) ? await this.#cache?.get<GgufSummary>(key) : null;
		if (hit) return { value: hit.value, cached: true, storedAt: hit.storedAt };
		return this.#withCache(key, async (token) => {
			const signal = options.signal;
			const auth = hubAuthHeaders(url, this.hubUrl, token);
			let header;
			try {
				header = await gguf(url, {
					fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
						let response: Response;
						try {
							response = await this.#fetch(input, { ...init, signal });
						} catch (error) {
							throw networkError(error, signal);
						}
						if (!response.ok) {
							const sent = new Headers(init?.headers).has('authorization') ? token : null;
							throw await this.#failure(response, sent, repoId);
						}
						return response;
					},
					additionalFetchHeaders: auth,
					computeParametersCount: true
				});
			} catch (error) {
				if (error instanceof AppError) throw error;
				if (signal?.aborted) throw networkError(error, signal);
				throw new AppError('GGUF_INVALID', `The header of ${path} could not be read as GGUF.`, {
					cause: error
				});
			}
			return summarizeGguf(header, options.fileSize);
		});
	}
}

/** The `rel="next"` URL of a `Link` header, resolved against the Hub. */
export function nextLink(header: string | null, base: string): string | null {
	if (!header) return null;
	for (const part of header.split(/,(?=\s*<)/)) {
		const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
		if (match?.[1] && /\brel="?next"?/.test(match[2] ?? '')) return new URL(match[1], base).href;
	}
	return null;
}
