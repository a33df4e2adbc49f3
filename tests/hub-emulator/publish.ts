/**
 * `POST /__emulator/repos`: a test publishes a repository as a user would push one to the Hub — a
 * new commit with real files (real sizes, real SHA-256, GGUF summary read from the first GGUF). An
 * existing id gets the new commit in place of its files (the Hub serves only the new `main`).
 * `POST /__emulator/reset` puts the default repositories back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from './context';
import { writeRepo } from './default-repos';
import { loadRepo, type Repo, type RepoJson } from './repo-store';

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const originals = new WeakMap<Ctx, Map<string, Repo>>();

/** Body: `{ id, files: { "<path>": "<base64>" }, meta?: RepoJson }`. */
export async function publishRepo(ctx: Ctx, body: Record<string, unknown>): Promise<Repo> {
	const { id, files, meta } = body;
	if (typeof id !== 'string' || !REPO_ID.test(id)) throw new Error('id must be "owner/name"');
	if (!files || typeof files !== 'object' || Array.isArray(files))
		throw new Error('files must map paths to base64 contents');
	const contents: Record<string, Uint8Array> = {};
	for (const [path, value] of Object.entries(files as Record<string, unknown>)) {
		if (typeof value !== 'string' || path.split('/').some((part) => part === '..' || !part))
			throw new Error(`bad file ${path}`);
		contents[path] = Buffer.from(value, 'base64');
		// loadRepo keeps files up to 64 MiB in memory; the folder is removed right after.
		if (contents[path].length > 64 * 1024 * 1024) throw new Error(`${path} is over 64 MiB`);
	}
	const json: RepoJson =
		meta && typeof meta === 'object' && !Array.isArray(meta) ? { ...(meta as RepoJson) } : {};
	delete json.virtualFiles;
	const root = await mkdtemp(join(tmpdir(), 'citrate-publish-'));
	try {
		await writeRepo(root, id, json, contents);
		const repo = await loadRepo(join(root, id), id);
		if (!originals.has(ctx)) originals.set(ctx, new Map(ctx.repos));
		for (const key of [...ctx.repos.keys()])
			if (key.toLowerCase() === id.toLowerCase()) ctx.repos.delete(key);
		ctx.repos.set(repo.id, repo);
		return repo;
	} finally {
		// Files up to 64 MiB are kept in memory by loadRepo.
		await rm(root, { recursive: true, force: true });
	}
}

/** Back to the repositories the emulator started with. */
export function restoreRepos(ctx: Ctx): void {
	const saved = originals.get(ctx);
	if (!saved) return;
	ctx.repos.clear();
	for (const [key, repo] of saved) ctx.repos.set(key, repo);
	originals.delete(ctx);
}
