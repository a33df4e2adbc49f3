/**
 * The official clients, unchanged, against the emulator: `@huggingface/hub` (listModels, modelInfo,
 * listFiles, fileDownloadInfo, downloadFile, whoAmI) and `@huggingface/gguf` (`gguf()` through the
 * resolve redirect and Range requests), for public, gated and private repos.
 */
import { gguf, ggufAllShards } from '@huggingface/gguf';
import {
	downloadFile,
	fileDownloadInfo,
	HubApiError,
	listFiles,
	listModels,
	modelInfo,
	whoAmI
} from '@huggingface/hub';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STORIES_PATH } from './default-repos';
import { ALICE_TOKEN, BOB_TOKEN, sha256Hex, startTestHub } from './helpers';
import type { HubEmulator } from './server';

let hub: HubEmulator;
let hubUrl: string;

beforeAll(async () => {
	hub = await startTestHub();
	hubUrl = hub.hubUrl;
}, 120_000);
afterAll(() => hub?.close());

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const x of it) out.push(x);
	return out;
}

async function statusOf(p: Promise<unknown>): Promise<number> {
	try {
		await p;
		return 200;
	} catch (err) {
		if (err instanceof HubApiError) return err.statusCode;
		throw err;
	}
}

describe('@huggingface/hub', () => {
	test('listModels filters by tag, owner and search, and only owners see private repos', async () => {
		const gguf = await collect(listModels({ hubUrl, search: { tags: ['gguf'] } }));
		const ids = gguf.map((m) => m.name);
		expect(ids.length).toBeGreaterThanOrEqual(60);
		expect(ids).toContain('citrate-test/tiny-llama-GGUF');
		expect(ids).toContain('Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
		expect(ids).not.toContain('citrate-test/not-gguf-model');
		expect(ids).not.toContain('alice/private-llama-GGUF');

		const asAlice = await collect(
			listModels({ hubUrl, accessToken: ALICE_TOKEN, search: { owner: 'alice' } })
		);
		expect(asAlice.map((m) => m.name)).toEqual(['alice/private-llama-GGUF']);
		expect(asAlice[0]!.private).toBe(true);
		const asBob = await collect(
			listModels({ hubUrl, accessToken: BOB_TOKEN, search: { owner: 'alice' } })
		);
		expect(asBob).toEqual([]);

		const coder = await collect(
			listModels({
				hubUrl,
				search: { query: 'coder', tags: ['gguf'] },
				sort: 'downloads',
				additionalFields: ['filePaths', 'author']
			})
		);
		expect(coder.length).toBeGreaterThan(5);
		for (const m of coder) expect(m.name.toLowerCase()).toContain('coder');
		const downloads = coder.map((m) => m.downloads);
		expect(downloads).toEqual([...downloads].sort((a, b) => b - a));
		const qwen = coder.find((m) => m.name === 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF')!;
		expect(qwen.author).toBe('Qwen');
		expect(qwen.filePaths).toContain('qwen2.5-coder-7b-instruct-q4_k_m.gguf');
		expect(qwen.updatedAt).toBeInstanceOf(Date);
	});

	test('modelInfo answers public, gated and private repos as the Hub does', async () => {
		const info = await modelInfo({
			hubUrl,
			name: 'citrate-test/tiny-llama-GGUF',
			additionalFields: ['sha', 'tags', 'filePaths']
		});
		expect(info.name).toBe('citrate-test/tiny-llama-GGUF');
		expect(info.gated).toBe(false);
		expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
		expect(info.tags).toContain('gguf');
		expect(info.filePaths).toEqual(
			expect.arrayContaining([
				'tiny-llama-Q4_K_M.gguf',
				'tiny-llama-Q8_0.gguf',
				'tiny-llama-F16.gguf'
			])
		);

		// Gated repos are visible to everyone; only their files are gated.
		const gated = await modelInfo({ hubUrl, name: 'citrate-test/gated-llama-GGUF' });
		expect(gated.gated).toBe('manual');
		expect((await modelInfo({ hubUrl, name: 'citrate-test/gated-auto-GGUF' })).gated).toBe('auto');

		const priv = { hubUrl, name: 'alice/private-llama-GGUF' };
		expect(await statusOf(modelInfo(priv))).toBe(401);
		expect(await statusOf(modelInfo({ ...priv, accessToken: BOB_TOKEN }))).toBe(404);
		expect((await modelInfo({ ...priv, accessToken: ALICE_TOKEN })).private).toBe(true);
		expect(await statusOf(modelInfo({ hubUrl, name: 'nobody/nothing' }))).toBe(401);
		expect(
			await statusOf(modelInfo({ hubUrl, name: 'citrate-test/tiny-llama-GGUF', revision: 'nope' }))
		).toBe(404);
	});

	test('listFiles gives sizes and lfs.oid = SHA-256 of the bytes downloadFile returns', async () => {
		const files = await collect(
			listFiles({ hubUrl, repo: 'citrate-test/tiny-llama-sharded-GGUF' })
		);
		const shards = files.filter((f) => f.path.endsWith('.gguf'));
		expect(shards.map((f) => f.path)).toEqual([
			'tiny-llama-Q8_0-00001-of-00003.gguf',
			'tiny-llama-Q8_0-00002-of-00003.gguf',
			'tiny-llama-Q8_0-00003-of-00003.gguf'
		]);
		for (const f of shards) {
			expect(f.lfs?.oid).toMatch(/^[0-9a-f]{64}$/);
			expect(f.lfs?.size).toBe(f.size);
			const blob = await downloadFile({
				hubUrl,
				repo: 'citrate-test/tiny-llama-sharded-GGUF',
				path: f.path
			});
			const bytes = await blob!.arrayBuffer();
			expect(bytes.byteLength).toBe(f.size);
			expect(sha256Hex(bytes)).toBe(f.lfs!.oid);
		}
		const readme = files.find((f) => f.path === 'README.md')!;
		expect(readme.lfs).toBeUndefined();
		expect(readme.oid).toMatch(/^[0-9a-f]{40}$/);

		const nested = await collect(
			listFiles({ hubUrl, repo: 'bartowski/Qwen2.5-Coder-32B-Instruct-GGUF', recursive: true })
		);
		expect(
			nested.some((f) => f.type === 'directory' && f.path === 'Qwen2.5-Coder-32B-Instruct-Q8_0')
		).toBe(true);
		expect(nested.map((f) => f.path)).toContain(
			'Qwen2.5-Coder-32B-Instruct-Q8_0/Qwen2.5-Coder-32B-Instruct-Q8_0-00002-of-00002.gguf'
		);
	});

	test('fileDownloadInfo and downloadFile: LFS via the CDN, small files via the resolve cache', async () => {
		const repo = 'citrate-test/tiny-llama-GGUF';
		const [q8] = await collect(listFiles({ hubUrl, repo, path: 'tiny-llama-Q8_0.gguf' }));
		const info = await fileDownloadInfo({ hubUrl, repo, path: 'tiny-llama-Q8_0.gguf' });
		expect(info).toMatchObject({ size: q8!.size, etag: `"${q8!.lfs!.oid}"` });
		expect(await fileDownloadInfo({ hubUrl, repo, path: 'missing.gguf' })).toBeNull();

		const readme = await downloadFile({ hubUrl, repo, path: 'README.md' });
		expect(await readme!.text()).toContain('# Tiny Llama GGUF');

		const blob = await downloadFile({ hubUrl, repo, path: 'tiny-llama-Q8_0.gguf' });
		const head = new Uint8Array(await blob!.slice(0, 4).arrayBuffer());
		expect(new TextDecoder().decode(head)).toBe('GGUF');
		expect(sha256Hex(await blob!.arrayBuffer())).toBe(q8!.lfs!.oid);
	});

	test('gated and private downloads need a token with access', async () => {
		const gated = { hubUrl, repo: 'citrate-test/gated-llama-GGUF', path: 'tiny-llama-Q8_0.gguf' };
		expect(await statusOf(fileDownloadInfo(gated))).toBe(401);
		expect(await statusOf(fileDownloadInfo({ ...gated, accessToken: BOB_TOKEN }))).toBe(403);
		const ok = await downloadFile({ ...gated, accessToken: ALICE_TOKEN });
		expect(ok!.size).toBeGreaterThan(1000);
		// The card stays readable, as on the Hub.
		expect(await statusOf(fileDownloadInfo({ ...gated, path: 'README.md' }))).toBe(200);

		const priv = { hubUrl, repo: 'alice/private-llama-GGUF', path: 'tiny-llama-Q8_0.gguf' };
		expect(await statusOf(fileDownloadInfo(priv))).toBe(401);
		expect(await statusOf(fileDownloadInfo({ ...priv, accessToken: BOB_TOKEN }))).toBe(404);
		expect((await fileDownloadInfo({ ...priv, accessToken: ALICE_TOKEN }))!.size).toBeGreaterThan(
			1000
		);
	});

	test('whoAmI with a personal access token', async () => {
		const me = await whoAmI({ hubUrl, accessToken: ALICE_TOKEN });
		expect(me).toMatchObject({ type: 'user', name: 'alice', auth: { type: 'access_token' } });
		expect(me.auth.accessToken?.role).toBe('read');
		expect(
			await statusOf(whoAmI({ hubUrl, accessToken: 'hf_notARealToken000000000000000000000' }))
		).toBe(401);
	});
});

describe('@huggingface/gguf', () => {
	test('reads a generated model through the redirect with Range requests', async () => {
		const url = `${hubUrl}/citrate-test/tiny-llama-GGUF/resolve/main/tiny-llama-Q4_K_M.gguf`;
		const { metadata, tensorInfos, parameterCount } = await gguf(url, {
			computeParametersCount: true
		});
		const md = metadata as Record<string, unknown>;
		expect(md['general.architecture']).toBe('llama');
		expect(md['general.file_type']).toBe(15);
		expect(tensorInfos.length).toBeGreaterThan(5);
		expect(parameterCount).toBeGreaterThan(100_000);
	});

	test('reads the real header of a metadata-only (virtual) repo file', async () => {
		const url = `${hubUrl}/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/resolve/main/qwen2.5-coder-7b-instruct-q4_k_m.gguf`;
		const md = (await gguf(url)).metadata as Record<string, unknown>;
		expect(md['general.architecture']).toBe('qwen2');
		expect(md['qwen2.context_length']).toBe(32768);
		expect(String(md['tokenizer.chat_template'])).toContain('<|im_start|>');
	});

	test('ggufAllShards follows the shards of a split virtual file', async () => {
		const url = `${hubUrl}/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/resolve/main/qwen2.5-coder-7b-instruct-fp16-00001-of-00004.gguf`;
		const { shards, parameterCount } = await ggufAllShards(url);
		expect(shards).toHaveLength(4);
		expect((shards[0]!.metadata as Record<string, unknown>)['split.count']).toBe(4);
		expect((shards[3]!.metadata as Record<string, unknown>)['split.no']).toBe(3);
		expect(parameterCount).toBeGreaterThan(5e9);
		const generated = await ggufAllShards(
			`${hubUrl}/citrate-test/tiny-llama-sharded-GGUF/resolve/main/tiny-llama-Q8_0-00001-of-00003.gguf`
		);
		expect(generated.shards).toHaveLength(3);
	});

	test('gated repos need the Authorization header, private ones too', async () => {
		const url = `${hubUrl}/citrate-test/gated-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`;
		await expect(gguf(url)).rejects.toThrow();
		const ok = await gguf(url, {
			additionalFetchHeaders: { Authorization: `Bearer ${ALICE_TOKEN}` }
		});
		expect(ok.metadata['general.architecture']).toBe('llama');
		const priv = `${hubUrl}/alice/private-llama-GGUF/resolve/main/tiny-llama-Q8_0.gguf`;
		await expect(gguf(priv)).rejects.toThrow();
		const mine = await gguf(priv, {
			additionalFetchHeaders: { Authorization: `Bearer ${ALICE_TOKEN}` }
		});
		expect(mine.metadata['general.architecture']).toBe('llama');
	});

	test.skipIf(!existsSync(STORIES_PATH))(
		'serves ../shared/fixtures/stories260K.gguf as ggml-org/models (skipped when absent)',
		async () => {
			const repo = 'ggml-org/models';
			const path = 'tinyllamas/stories260K.gguf';
			const blob = await downloadFile({ hubUrl, repo, path });
			expect(sha256Hex(await blob!.arrayBuffer())).toBe(
				'270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d'
			);
			const { metadata } = await gguf(`${hubUrl}/${repo}/resolve/main/${path}`);
			expect(metadata['general.architecture']).toBe('llama');
		}
	);
});
