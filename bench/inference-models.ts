/**
 * The models `npm run bench:inference` measures, generated once into a cache folder: a ~107M
 * Llama in every weight type the fixture writer makes, and one with Qwen2.5-0.5B's shape (24
 * layers, 896 wide, 14 heads / 2 KV heads, 4864 FFN, 151,936-token vocabulary) in Q4_K, so the
 * figures show how the gap to native scales. No chat template: all engines see the same raw prompt.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gguf } from '@huggingface/gguf';
import { summarizeGguf } from '../src/lib/hub/gguf-summary';
import { makeTinyLlamaGguf, type FixtureWeightType } from '../tests/fixtures/gguf';

export interface BenchModel {
	name: string;
	path: string;
	params: string;
	/** The weight type the file is named for (what a Hub variant's label says). */
	weightType: string;
	maxTokens: number;
	/** Take part in the defaults sweep. */
	tune: boolean;
	sizeBytes: number;
	/** From the file's header by the app's own summarizer, as the model page reads it. */
	lookupOnlyShare: number | null;
	/** Attention head sizes (whether the app gives it a q8_0 KV cache). */
	headDims: { k: number; v: number } | null;
}

export const CACHE = join(tmpdir(), 'citrate-bench-models');

const SMALL_TYPES: FixtureWeightType[] = ['Q4_K', 'Q4_0', 'Q8_0', 'F16'];

function generate(path: string, label: string, make: () => Uint8Array): void {
	if (existsSync(path)) return;
	console.log(`generating ${label}…`);
	writeFileSync(path, make());
}

async function headerFacts(
	path: string
): Promise<{ lookupOnlyShare: number | null; headDims: { k: number; v: number } | null }> {
	const header = await gguf(path, { allowLocalFile: true, computeParametersCount: true });
	const summary = summarizeGguf(header, statSync(path).size);
	const { headDimK: k, headDimV: v } = summary;
	return {
		lookupOnlyShare: summary.lookupOnlyShare ?? null,
		headDims: k !== null && v !== null ? { k, v } : null
	};
}

export async function benchModels(root: string, only?: string): Promise<BenchModel[]> {
	mkdirSync(CACHE, { recursive: true });
	const models: BenchModel[] = [];
	for (const type of SMALL_TYPES) {
		const name = `bench-107M-${type}.gguf`;
		if (only && !name.includes(only)) continue;
		const path = join(CACHE, name);
		// 15 layers × (4·768² + 3·768·2048) + embeddings ≈ 107M parameters.
		generate(path, `a 107M-parameter ${type} model`, () =>
			makeTinyLlamaGguf({
				weightType: type,
				nEmbd: 768,
				nLayer: 15,
				nHead: 12,
				nHeadKv: 12,
				nFf: 2048,
				contextLength: 2048,
				chatTemplate: null,
				seed: 7,
				name: `bench 107M ${type}`
			})
		);
		models.push({
			name,
			path,
			params: `107M (generated, ${type})`,
			weightType: type,
			maxTokens: 16,
			tune: type === 'Q4_K',
			sizeBytes: statSync(path).size,
			...(await headerFacts(path))
		});
	}
	const qwen = 'bench-qwen0.5B-shape-Q4_K.gguf';
	if (!only || qwen.includes(only)) {
		const path = join(CACHE, qwen);
		generate(path, 'a model with Qwen2.5-0.5B’s shape in Q4_K (~600 MB, a minute or two)', () =>
			makeTinyLlamaGguf({
				weightType: 'Q4_K',
				nEmbd: 896,
				nLayer: 24,
				nHead: 14,
				nHeadKv: 2,
				nFf: 4864,
				nVocab: 151_936,
				contextLength: 2048,
				chatTemplate: null,
				seed: 7,
				name: 'bench Qwen2.5-0.5B shape Q4_K'
			})
		);
		models.push({
			name: qwen,
			path,
			params: '630M (Qwen2.5-0.5B shape, untied output; Q4_K where rows allow, else Q8_0)',
			weightType: 'Q4_K',
			maxTokens: 8,
			tune: false,
			sizeBytes: statSync(path).size,
			...(await headerFacts(path))
		});
	}
	const stories = resolve(root, '../shared/fixtures/stories260K.gguf');
	if (!only || 'stories260K.gguf'.includes(only)) {
		if (existsSync(stories))
			models.push({
				name: 'stories260K.gguf',
				path: stories,
				params: '260K (stories260K, F32)',
				weightType: 'F32',
				maxTokens: 32,
				tune: false,
				sizeBytes: statSync(stories).size,
				...(await headerFacts(stories))
			});
		else console.log(`stories260K skipped: ${stories} is absent`);
	}
	return models;
}
