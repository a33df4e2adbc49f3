/** `POST /__emulator/repos`: a test publishes a repo with real files; reset restores the defaults. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeTinyLlamaGguf } from '../fixtures/gguf';
import { startTestHub } from './helpers';
import type { HubEmulator } from './server';

let hub: HubEmulator;

beforeAll(async () => {
	hub = await startTestHub();
}, 120_000);
afterAll(() => hub?.close());

const ID = 'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF';
const FILE = 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf';

async function publish(body: unknown): Promise<Response> {
	return fetch(`${hub.hubUrl}/__emulator/repos`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
}

describe('publishing a repo', () => {
	test('a new commit with real files replaces the catalogue repo; reset brings it back', async () => {
		const before = (await (await fetch(`${hub.hubUrl}/api/models/${ID}`)).json()) as {
			sha: string;
		};
		const bytes = makeTinyLlamaGguf({ seed: 5, weightType: 'Q4_K', name: 'Tiny' });
		const res = await publish({
			id: ID,
			meta: { downloads: 5, tags: ['gguf'] },
			files: { [FILE]: Buffer.from(bytes).toString('base64'), 'README.md': 'IyBIaQo=' }
		});
		expect(res.status).toBe(201);
		const info = (await (await fetch(`${hub.hubUrl}/api/models/${ID}`)).json()) as {
			sha: string;
			gguf?: { total: number };
		};
		expect(info.sha).not.toBe(before.sha);
		expect(info.gguf?.total).toBeGreaterThan(0);
		const tree = (await (
			await fetch(`${hub.hubUrl}/api/models/${ID}/tree/main?recursive=true`)
		).json()) as { path: string; size: number; lfs?: { oid: string } }[];
		const entry = tree.find((e) => e.path === FILE)!;
		const sha = createHash('sha256').update(bytes).digest('hex');
		expect(entry).toMatchObject({ size: bytes.length, lfs: { oid: sha } });
		expect(tree.map((e) => e.path).sort()).toEqual(['.gitattributes', 'README.md', FILE]);
		const download = await fetch(`${hub.hubUrl}/${ID}/resolve/main/${FILE}`);
		expect(
			createHash('sha256')
				.update(Buffer.from(await download.arrayBuffer()))
				.digest('hex')
		).toBe(sha);

		await fetch(`${hub.hubUrl}/__emulator/reset`, { method: 'POST' });
		const after = (await (await fetch(`${hub.hubUrl}/api/models/${ID}`)).json()) as { sha: string };
		expect(after.sha).toBe(before.sha);
	});

	test('bad ids and paths are refused', async () => {
		expect((await publish({ id: 'no-slash', files: {} })).status).toBe(400);
		expect((await publish({ id: 'a/b', files: { '../x': 'AA==' } })).status).toBe(400);
		expect((await publish({ id: 'a/b', files: 'nope' })).status).toBe(400);
	});
});
