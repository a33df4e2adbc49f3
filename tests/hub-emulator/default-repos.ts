/**
 * Builds the emulator's default repositories into a cache folder (git-ignored `.emulator-repos/`):
 * GGUF repos made by the project's GGUF writer (`tests/fixtures/gguf`), a sharded one, scripted chat
 * models, XSS probes, gated and private repos, a non-GGUF repo, `ggml-org/models` with the shared
 * stories260K model when `../shared/fixtures/stories260K.gguf` exists, and the metadata-only catalog
 * (virtual files: real GGUF headers, padding generated on the fly). The folder name carries a hash
 * of the inputs, so a change to the fixtures or the catalog rebuilds it.
 */
import { ggufAllShards } from '@huggingface/gguf';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	GGML_TYPES,
	makeGgufHeader,
	makeScriptedLlamaGguf,
	makeTinyLlamaGguf,
	shardFileName,
	splitGguf,
	typed
} from '../fixtures/gguf/index';
import {
	CATALOG,
	FILE_TYPES,
	QUANT_BPW,
	quantFiles,
	weightTypeOf,
	type CatalogRepo
} from './catalog';
import type { RepoJson } from './repo-store';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(HERE, '../..');
export const STORIES_PATH = resolve(PROJECT_ROOT, '../shared/fixtures/stories260K.gguf');

export function defaultReposDir(): string {
	return join(PROJECT_ROOT, '.emulator-repos');
}

/** The reply of `citrate-test/scripted-chat-GGUF`: Markdown with a fenced code block. */
export const SCRIPTED_CHAT_REPLY =
	'Here is a function that adds two numbers:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nCall it as `add(2, 3)` to get **5**.';

/** The reply of `citrate-test/xss-chat-GGUF`: HTML and a `javascript:` link that must be neutralised. */
export const XSS_CHAT_REPLY =
	'Look: <img src=x onerror=alert(1)> and [click](javascript:alert(1)) <script>alert(2)</script>';

async function inputsKey(): Promise<string> {
	const h = createHash('sha256');
	const fixturesDir = join(PROJECT_ROOT, 'tests/fixtures/gguf');
	const files = [
		...(await readdir(fixturesDir))
			.filter((f) => f.endsWith('.ts'))
			.map((f) => join(fixturesDir, f)),
		join(HERE, 'catalog.ts'),
		join(HERE, 'default-repos.ts')
	].sort();
	for (const f of files) h.update(f.slice(PROJECT_ROOT.length)).update(await readFile(f));
	h.update(existsSync(STORIES_PATH) ? `stories:${(await stat(STORIES_PATH)).size}` : 'no-stories');
	return h.digest('hex').slice(0, 16);
}

/** Ensures the default set exists under `cacheRoot`; returns its folder. */
export async function ensureDefaultRepos(cacheRoot: string): Promise<string> {
	const target = join(cacheRoot, `default-${await inputsKey()}`);
	await removeStale(cacheRoot, target);
	if (existsSync(join(target, '.complete'))) return target;
	const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
	await mkdir(tmp, { recursive: true });
	try {
		await buildDefaultRepos(tmp);
		await writeFile(join(tmp, '.complete'), new Date().toISOString());
		await rename(tmp, target).catch(async (err: NodeJS.ErrnoException) => {
			// Another process built it first: use theirs.
			if (!existsSync(join(target, '.complete'))) throw err;
			await rm(tmp, { recursive: true, force: true });
		});
	} catch (err) {
		await rm(tmp, { recursive: true, force: true });
		throw err;
	}
	return target;
}

/**
 * Drops builds of older inputs (running emulators keep their files in memory, so this is safe once
 * a build is a few minutes old) and abandoned temporary folders.
 */
async function removeStale(cacheRoot: string, keep: string): Promise<void> {
	if (!existsSync(cacheRoot)) return;
	const cutoff = Date.now() - 10 * 60 * 1000;
	for (const name of await readdir(cacheRoot)) {
		const dir = join(cacheRoot, name);
		if (dir === keep || !name.startsWith('default-')) continue;
		const s = await stat(dir).catch(() => null);
		if (s && s.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true }).catch(() => {});
	}
}

export async function writeRepo(
	root: string,
	id: string,
	json: RepoJson,
	files: Record<string, Uint8Array | string>
): Promise<void> {
	const dir = join(root, id);
	await mkdir(dir, { recursive: true });
	for (const [path, content] of Object.entries(files)) {
		await mkdir(dirname(join(dir, path)), { recursive: true });
		await writeFile(join(dir, path), content);
	}
	const ggufFirst = Object.keys(files)
		.filter((p) => p.endsWith('.gguf') && !/-0000[2-9]-of-|-000[1-9]\d-of-/.test(p))
		.sort()[0];
	if (ggufFirst && !json.gguf) json.gguf = await ggufSummary(join(dir, ggufFirst));
	await writeFile(join(dir, 'repo.json'), JSON.stringify(json, null, '\t') + '\n');
}

/** `gguf` field of the model API (`total`, `architecture`, `context_length`, `chat_template`, …). */
async function ggufSummary(path: string): Promise<Record<string, unknown>> {
	const { shards, parameterCount } = await ggufAllShards(path, { allowLocalFile: true });
	const md = shards[0]!.metadata as Record<string, unknown>;
	const arch = String(md['general.architecture']);
	const tokens = md['tokenizer.ggml.tokens'] as string[] | undefined;
	const tok = (key: string) => {
		const id = md[`tokenizer.ggml.${key}_token_id`];
		return typeof id === 'number' && tokens ? tokens[id] : undefined;
	};
	return {
		total: parameterCount,
		architecture: arch,
		context_length: Number(md[`${arch}.context_length`]),
		...(md['tokenizer.chat_template'] ? { chat_template: md['tokenizer.chat_template'] } : {}),
		...(tok('bos') ? { bos_token: tok('bos') } : {}),
		...(tok('eos') ? { eos_token: tok('eos') } : {})
	};
}

function card(front: Record<string, unknown>, body: string): string {
	const yaml = Object.entries(front)
		.filter(([, v]) => v !== undefined)
		.map(([k, v]) =>
			Array.isArray(v)
				? `${k}:\n${v.map((x) => `- ${String(x)}`).join('\n')}`
				: `${k}: ${String(v)}`
		)
		.join('\n');
	return `---\n${yaml}\n---\n\n${body.trim()}\n`;
}

const TEST_DATES = {
	createdAt: '2026-01-10T09:00:00.000Z',
	lastModified: '2026-02-01T09:00:00.000Z'
};

function tinyCard(title: string, text: string, extra: Record<string, unknown> = {}): string {
	return card(
		{
			license: 'mit',
			tags: ['gguf', 'llama', 'test-fixture'],
			pipeline_tag: 'text-generation',
			...extra
		},
		`# ${title}\n\n${text}\n\nGenerated by Citrate's GGUF fixture writer: a tiny Llama-architecture model with deterministic random weights, for tests.`
	);
}

/** A tiny but valid safetensors file (8-byte header length, JSON header, data). */
function tinySafetensors(): Uint8Array {
	const data = new Float32Array(16).map((_, i) => i / 16);
	const header = JSON.stringify({
		__metadata__: { format: 'pt' },
		'lm_head.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] }
	}).padEnd(96, ' ');
	const out = new Uint8Array(8 + header.length + data.byteLength);
	new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
	out.set(new TextEncoder().encode(header), 8);
	out.set(new Uint8Array(data.buffer), 8 + header.length);
	return out;
}

async function buildGenerated(root: string): Promise<void> {
	const meta = (downloads: number, likes: number, extra: RepoJson = {}): RepoJson => ({
		downloads,
		likes,
		pipeline_tag: 'text-generation',
		library_name: 'gguf',
		license: 'mit',
		tags: ['llama', 'conversational', 'test-fixture'],
		...TEST_DATES,
		...extra
	});

	await writeRepo(root, 'citrate-test/tiny-llama-GGUF', meta(1200, 12), {
		'README.md': tinyCard(
			'Tiny Llama GGUF',
			'Three quantizations of the same tiny model: Q4_K_M, Q8_0 and F16.'
		),
		'tiny-llama-Q4_K_M.gguf': makeTinyLlamaGguf({
			seed: 1,
			weightType: 'Q4_K',
			name: 'Tiny Llama'
		}),
		'tiny-llama-Q8_0.gguf': makeTinyLlamaGguf({ seed: 1, weightType: 'Q8_0', name: 'Tiny Llama' }),
		'tiny-llama-F16.gguf': makeTinyLlamaGguf({ seed: 1, weightType: 'F16', name: 'Tiny Llama' })
	});

	const big = makeTinyLlamaGguf({
		seed: 2,
		weightType: 'Q8_0',
		nEmbd: 384,
		nLayer: 4,
		nFf: 1024,
		name: 'Tiny Llama Sharded'
	});
	const shards = splitGguf(big, 3);
	await writeRepo(root, 'citrate-test/tiny-llama-sharded-GGUF', meta(640, 7), {
		'README.md': tinyCard(
			'Tiny Llama sharded GGUF',
			'One Q8_0 model split into 3 shards with `gguf-split`.'
		),
		...Object.fromEntries(shards.map((s, i) => [shardFileName('tiny-llama-Q8_0', i + 1, 3), s]))
	});

	await writeRepo(root, 'citrate-test/scripted-chat-GGUF', meta(410, 5), {
		'README.md': tinyCard(
			'Scripted chat GGUF',
			'Whatever you ask, this model answers with the same Markdown reply, including a fenced code block.'
		),
		'scripted-chat-Q8_0.gguf': makeScriptedLlamaGguf({
			reply: SCRIPTED_CHAT_REPLY,
			name: 'Scripted chat'
		})
	});

	await writeRepo(root, 'citrate-test/xss-chat-GGUF', meta(90, 1), {
		'README.md': tinyCard(
			'XSS chat GGUF',
			'Replies with HTML and a `javascript:` link; the app must render it inert.'
		),
		'xss-chat-Q8_0.gguf': makeScriptedLlamaGguf({ reply: XSS_CHAT_REPLY, name: 'XSS chat' })
	});

	await writeRepo(root, 'citrate-test/xss-readme-GGUF', meta(80, 1), {
		'README.md': card(
			{ license: 'mit', tags: ['gguf', 'test-fixture'] },
			'# XSS README\n\n<script>window.__xss = 1; alert("xss")</script>\n\n<img src=x onerror="window.__xss = 2">\n\n[click me](javascript:window.__xss=3)\n\n<a href="javascript:alert(1)">another</a>\n\n<iframe src="https://example.com"></iframe>\n\nSafe text after the probes.'
		),
		'tiny-llama-Q8_0.gguf': makeTinyLlamaGguf({ seed: 3, weightType: 'Q8_0', name: 'XSS readme' })
	});

	await writeRepo(root, 'citrate-test/gated-llama-GGUF', meta(300, 4, { gated: 'manual' }), {
		'README.md': tinyCard(
			'Gated Llama GGUF',
			'Gated (manual approval). `alice` is granted; `bob` is not.',
			{
				extra_gated_prompt: 'You agree to use this test model for tests only.'
			}
		),
		'tiny-llama-Q8_0.gguf': makeTinyLlamaGguf({ seed: 4, weightType: 'Q8_0', name: 'Gated Llama' })
	});

	await writeRepo(root, 'citrate-test/gated-auto-GGUF', meta(250, 3, { gated: 'auto' }), {
		'README.md': tinyCard('Gated (auto) Llama GGUF', 'Gated with automatic approval.'),
		'tiny-llama-Q8_0.gguf': makeTinyLlamaGguf({
			seed: 5,
			weightType: 'Q8_0',
			name: 'Gated auto Llama'
		})
	});

	await writeRepo(root, 'alice/private-llama-GGUF', meta(0, 0, { private: true, owner: 'alice' }), {
		'README.md': tinyCard('Private Llama GGUF', "Alice's private repo."),
		'tiny-llama-Q8_0.gguf': makeTinyLlamaGguf({
			seed: 6,
			weightType: 'Q8_0',
			name: 'Private Llama'
		})
	});

	await writeRepo(
		root,
		'citrate-test/not-gguf-model',
		{
			downloads: 150,
			likes: 2,
			pipeline_tag: 'text-generation',
			library_name: 'transformers',
			license: 'mit',
			tags: ['transformers', 'safetensors', 'llama', 'test-fixture'],
			config: { architectures: ['LlamaForCausalLM'], model_type: 'llama' },
			...TEST_DATES
		},
		{
			'README.md': card(
				{ license: 'mit', library_name: 'transformers', tags: ['test-fixture'] },
				'# Not a GGUF model\n\nA transformers checkpoint (safetensors): Citrate cannot run it.'
			),
			'config.json': JSON.stringify(
				{ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4 },
				null,
				2
			),
			'model.safetensors': tinySafetensors()
		}
	);

	if (existsSync(STORIES_PATH)) {
		await writeRepo(
			root,
			'ggml-org/models',
			{
				downloads: 30_512,
				likes: 41,
				license: 'mit',
				tags: ['llama'],
				createdAt: '2023-08-21T10:00:00.000Z',
				lastModified: '2025-06-10T10:00:00.000Z'
			},
			{
				'README.md': card(
					{ license: 'mit' },
					"# ggml-org/models\n\nModels used by llama.cpp's CI. `tinyllamas/stories260K.gguf` is Andrej Karpathy's stories260K (MIT) converted to GGUF."
				)
			}
		);
		const dir = join(root, 'ggml-org/models/tinyllamas');
		await mkdir(dir, { recursive: true });
		await copyFile(STORIES_PATH, join(dir, 'stories260K.gguf'));
		const json = JSON.parse(
			await readFile(join(root, 'ggml-org/models/repo.json'), 'utf8')
		) as RepoJson;
		json.gguf = await ggufSummary(join(dir, 'stories260K.gguf'));
		await writeFile(
			join(root, 'ggml-org/models/repo.json'),
			JSON.stringify(json, null, '\t') + '\n'
		);
	}
}

/** Deterministic fraction in [0, 1) from a string. */
function frac(s: string): number {
	return parseInt(createHash('sha1').update(s).digest('hex').slice(0, 8), 16) / 2 ** 32;
}

function fitType(type: string, rowLength: number): string {
	for (const t of [type, 'Q8_0', 'F16']) {
		const info = (GGML_TYPES as Record<string, { blockSize: number }>)[t];
		if (info && rowLength % info.blockSize === 0) return t;
	}
	return 'F32';
}

function catalogTensors(repo: CatalogRepo, weightType: string) {
	const f = repo.family;
	const headDim = Math.floor(f.nEmbd / f.nHead);
	const kv = headDim * f.nHeadKv;
	const w = (name: string, shape: number[]) => ({
		name,
		shape,
		type: fitType(weightType, shape[0]!)
	});
	const norm = (name: string) => ({ name, shape: [f.nEmbd], type: 'F32' });
	const tensors = [w('token_embd.weight', [f.nEmbd, f.nVocab])];
	for (let i = 0; i < f.nLayer; i++) {
		tensors.push(
			norm(`blk.${i}.attn_norm.weight`),
			w(`blk.${i}.attn_q.weight`, [f.nEmbd, headDim * f.nHead]),
			w(`blk.${i}.attn_k.weight`, [f.nEmbd, kv]),
			w(`blk.${i}.attn_v.weight`, [f.nEmbd, kv]),
			w(`blk.${i}.attn_output.weight`, [headDim * f.nHead, f.nEmbd]),
			norm(`blk.${i}.ffn_norm.weight`),
			w(`blk.${i}.ffn_gate.weight`, [f.nEmbd, f.nFf]),
			w(`blk.${i}.ffn_up.weight`, [f.nEmbd, f.nFf]),
			w(`blk.${i}.ffn_down.weight`, [f.nFf, f.nEmbd])
		);
	}
	tensors.push(norm('output_norm.weight'), w('output.weight', [f.nEmbd, f.nVocab]));
	return tensors;
}

function catalogMetadata(repo: CatalogRepo, quant: string): Record<string, unknown> {
	const f = repo.family;
	const a = f.arch;
	const label = quant.replace(/^i1-/, '').replace(/^UD-/, '').toUpperCase().replace('FP16', 'F16');
	return {
		'general.type': 'model',
		'general.name': repo.id.split('/')[1]!.replace(/-GGUF$/i, ''),
		'general.quantized_by': repo.id.split('/')[0],
		'general.license': repo.license,
		...(repo.baseModel
			? {
					'general.base_model.count': 1,
					'general.base_model.0.repo_url': `https://huggingface.co/${repo.baseModel}`
				}
			: {}),
		'general.file_type': FILE_TYPES[label] ?? FILE_TYPES[weightTypeOf(quant)] ?? 1,
		'general.quantization_version': 2,
		[`${a}.context_length`]: f.ctx,
		[`${a}.embedding_length`]: f.nEmbd,
		[`${a}.block_count`]: f.nLayer,
		[`${a}.feed_forward_length`]: f.nFf,
		[`${a}.attention.head_count`]: f.nHead,
		[`${a}.attention.head_count_kv`]: f.nHeadKv,
		[`${a}.rope.freq_base`]: a.startsWith('qwen') ? 1_000_000 : 10_000,
		[`${a}.attention.layer_norm_rms_epsilon`]: 1e-6,
		[`${a}.vocab_size`]: f.nVocab,
		'tokenizer.ggml.model': f.nVocab > 100_000 || a.startsWith('qwen') ? 'gpt2' : 'llama',
		'tokenizer.ggml.bos_token_id': 1,
		'tokenizer.ggml.eos_token_id': 2,
		...(f.chatTemplate ? { 'tokenizer.chat_template': f.chatTemplate } : {})
	};
}

function gib(bytes: number): string {
	return `${(bytes / 1e9).toFixed(2)} GB`;
}

async function buildCatalogRepo(root: string, repo: CatalogRepo): Promise<void> {
	const dir = join(root, repo.id);
	await mkdir(join(dir, '.virtual'), { recursive: true });
	const virtualFiles: { path: string; size: number; headerFile?: string }[] = [];
	const rows: string[] = [];
	const small: Record<string, string> = {};

	if (repo.safetensors) {
		const n = repo.safetensors;
		const total = Math.round(repo.family.params * 2);
		const weightMap: Record<string, string> = {};
		for (let i = 1; i <= n; i++) {
			const name = `model-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
			virtualFiles.push({ path: name, size: Math.round((total / n) * (0.97 + 0.06 * frac(name))) });
			weightMap[`model.layers.${i - 1}.mlp.down_proj.weight`] = name;
		}
		small['config.json'] = JSON.stringify(
			{
				architectures: [
					repo.family.arch === 'starcoder2'
						? 'Starcoder2ForCausalLM'
						: repo.family.arch === 'qwen2'
							? 'Qwen2ForCausalLM'
							: repo.family.arch === 'llama'
								? 'LlamaForCausalLM'
								: 'MistralForCausalLM'
				],
				hidden_size: repo.family.nEmbd,
				num_hidden_layers: repo.family.nLayer,
				num_attention_heads: repo.family.nHead,
				num_key_value_heads: repo.family.nHeadKv,
				intermediate_size: repo.family.nFf,
				vocab_size: repo.family.nVocab,
				max_position_embeddings: repo.family.ctx,
				torch_dtype: 'bfloat16'
			},
			null,
			2
		);
		small['generation_config.json'] = JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }, null, 2);
		small['model.safetensors.index.json'] = JSON.stringify(
			{ metadata: { total_size: total }, weight_map: weightMap },
			null,
			2
		);
	}

	for (const entry of repo.quants) {
		const { quant, paths } = quantFiles(repo, entry);
		const weightType = weightTypeOf(quant);
		const bpw =
			QUANT_BPW[quant.replace(/^i1-/, '').toUpperCase().replace('FP16', 'F16')] ??
			QUANT_BPW[weightType] ??
			8;
		const total = Math.round(
			((repo.family.params * bpw) / 8) * (0.995 + 0.01 * frac(`${repo.id}/${quant}`))
		);
		const tensors = catalogTensors(repo, weightType);
		const n = paths.length;
		const per = Math.ceil(tensors.length / n);
		for (let i = 0; i < n; i++) {
			const part = tensors.slice(i * per, (i + 1) * per);
			const split =
				n > 1
					? {
							'split.no': typed('u16', i),
							'split.count': typed('u16', n),
							'split.tensors.count': typed('i32', tensors.length)
						}
					: {};
			const metadata = i === 0 ? { ...catalogMetadata(repo, quant), ...split } : split;
			const header = makeGgufHeader({ architecture: repo.family.arch, metadata, tensors: part });
			const headerFile = `.virtual/${paths[i]!.replaceAll('/', '__')}.header`;
			await writeFile(join(dir, headerFile), header);
			const size = i < n - 1 ? Math.floor(total / n) : total - Math.floor(total / n) * (n - 1);
			virtualFiles.push({ path: paths[i]!, size: Math.max(size, header.length), headerFile });
		}
		rows.push(
			`| [${paths[0]!.split('/').pop()}](./${paths[0]}) | ${quant} | ${gib(total)} |${n > 1 ? ` ${n} parts` : ''}`
		);
	}

	const isGguf = repo.quants.length > 0;
	const [owner, name] = repo.id.split('/') as [string, string];
	const readme = card(
		{
			license: repo.license,
			base_model: repo.baseModel,
			pipeline_tag: repo.pipeline ?? 'text-generation',
			library_name: isGguf ? undefined : 'transformers',
			tags: repo.extraTags,
			quantized_by: isGguf ? owner : undefined
		},
		isGguf
			? `# ${name}\n\nGGUF quantizations of [${repo.baseModel ?? name}](https://huggingface.co/${repo.baseModel ?? repo.id}) for llama.cpp.\n\n| File | Quant | Size |\n| ---- | ----- | ---- |\n${rows.join('\n')}\n\n_Citrate Hub emulator: metadata-only repo. File contents are a real GGUF header plus padding, and the lfs sha256 is not the hash of those bytes._`
			: `# ${name}\n\nA transformers checkpoint in safetensors.\n\n_Citrate Hub emulator: metadata-only repo._`
	);
	const f = repo.family;
	const json: RepoJson = {
		gated: repo.gated ?? false,
		downloads: repo.downloads,
		likes: repo.likes,
		tags: [
			...(isGguf ? [] : []),
			...(repo.extraTags ?? []),
			...(repo.baseModel ? [`base_model:quantized:${repo.baseModel}`] : []),
			'endpoints_compatible'
		],
		pipeline_tag: repo.pipeline ?? 'text-generation',
		library_name: isGguf ? undefined : 'transformers',
		license: repo.license,
		createdAt: repo.createdAt,
		lastModified: repo.lastModified,

		...(isGguf
			? {
					gguf: {
						total: f.params,
						architecture: f.arch,
						context_length: f.ctx,
						...(f.chatTemplate ? { chat_template: f.chatTemplate } : {})
					}
				}
			: {
					config: {
						architectures: [JSON.parse(small['config.json']!).architectures[0]],
						model_type: f.arch
					}
				}),
		virtualFiles,
		_note:
			'Metadata-only repo: files are virtual (stored header + deterministic padding); their lfs sha256 is a stable made-up value, not the SHA-256 of the bytes served.'
	};
	await writeFile(join(dir, 'README.md'), readme);
	for (const [p, c] of Object.entries(small)) await writeFile(join(dir, p), c);
	await writeFile(join(dir, 'repo.json'), JSON.stringify(json, null, '\t') + '\n');
}

export async function buildDefaultRepos(root: string): Promise<void> {
	await buildGenerated(root);
	for (const repo of CATALOG) await buildCatalogRepo(root, repo);
}
