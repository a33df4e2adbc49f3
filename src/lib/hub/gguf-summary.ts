/** What the model page shows from a GGUF header (parsed by `@huggingface/gguf`). */
import { GGMLFileQuantizationType, type GGUFParseOutput } from '@huggingface/gguf';
import type { ModelShape } from './fit';
import type { GgufSummary } from './types';

type Metadata = Record<string, unknown>;

function num(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'bigint') return Number(value);
	// Some architectures store per-layer arrays (e.g. head_count_kv): use the largest.
	if (Array.isArray(value) && value.length > 0) {
		const numbers = value.map(num).filter((n): n is number => n !== null);
		return numbers.length > 0 ? Math.max(...numbers) : null;
	}
	return null;
}

function str(value: unknown): string | null {
	return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Summarizes a parsed header. `parameterCount` comes from the tensor shapes (only meaningful for an
 * unsplit file); `fileSize` lets the last tensor's size be known.
 */
export function summarizeGguf(
	header: Pick<GGUFParseOutput, 'metadata' | 'tensorInfos' | 'tensorDataOffset'> & {
		parameterCount?: number;
	},
	fileSize?: number
): GgufSummary {
	const metadata = header.metadata as unknown as Metadata;
	const arch = str(metadata['general.architecture']);
	const key = (name: string): unknown => (arch ? metadata[`${arch}.${name}`] : undefined);
	const embd = num(key('embedding_length'));
	const heads = num(key('attention.head_count'));
	const headsKv = num(key('attention.head_count_kv')) ?? heads;
	const headDim = embd !== null && heads ? embd / heads : null;
	const tokens = metadata['tokenizer.ggml.tokens'];
	const vocab = num(key('vocab_size')) ?? (Array.isArray(tokens) ? tokens.length : null);
	const fileTypeNumber = num(metadata['general.file_type']);
	const splitCount = num(metadata['split.count']);
	return {
		architecture: arch,
		name: str(metadata['general.name']),
		parameterCount:
			header.parameterCount !== undefined && (splitCount === null || splitCount <= 1)
				? header.parameterCount
				: null,
		contextLength: num(key('context_length')),
		embeddingLength: embd,
		blockCount: num(key('block_count')),
		headCount: heads,
		headCountKv: headsKv,
		headDimK: num(key('attention.key_length')) ?? headDim,
		headDimV: num(key('attention.value_length')) ?? headDim,
		vocabSize: vocab,
		feedForwardLength: num(key('feed_forward_length')),
		hasChatTemplate: typeof metadata['tokenizer.chat_template'] === 'string',
		tokenizerModel: str(metadata['tokenizer.ggml.model']),
		fileType:
			fileTypeNumber !== null
				? (GGMLFileQuantizationType[fileTypeNumber] ?? String(fileTypeNumber))
				: null,
		splitCount: splitCount !== null && splitCount > 1 ? splitCount : null,
		tensorCount: header.tensorInfos.length,
		lookupOnlyShare:
			splitCount !== null && splitCount > 1 ? null : lookupOnlyShare(header.tensorInfos),
		largestTensorBytes: largestTensor(header, fileSize)
	};
}

type TensorShape = { name: string; shape: readonly (number | bigint)[] };
const elements = (t: TensorShape) => t.shape.reduce<number>((n, d) => n * Number(d), 1);

/**
 * `token_embd` is read one row per token; with a separate `output` matrix its bytes cost decode
 * nothing (tied, it is the output matrix and is multiplied in full). By elements, all tensors in
 * this file.
 */
function lookupOnlyShare(tensors: readonly TensorShape[]): number | null {
	const embeddings = tensors.find((t) => t.name === 'token_embd.weight');
	if (!embeddings) return null;
	if (!tensors.some((t) => t.name === 'output.weight')) return 0;
	const total = tensors.reduce((n, t) => n + elements(t), 0);
	return total > 0 ? elements(embeddings) / total : null;
}

/** Tensor sizes from the gaps between their data offsets (the last one ends at the file end). */
function largestTensor(
	header: Pick<GGUFParseOutput, 'tensorInfos' | 'tensorDataOffset'>,
	fileSize: number | undefined
): number | null {
	const offsets = header.tensorInfos.map((info) => Number(info.offset)).sort((a, b) => a - b);
	if (offsets.length === 0) return null;
	let largest = 0;
	for (let i = 0; i + 1 < offsets.length; i++)
		largest = Math.max(largest, (offsets[i + 1] ?? 0) - (offsets[i] ?? 0));
	if (fileSize !== undefined) {
		const last = fileSize - Number(header.tensorDataOffset) - (offsets.at(-1) ?? 0);
		if (last > 0) largest = Math.max(largest, last);
	}
	return largest > 0 ? largest : null;
}

/** The KV-cache shape, when the header has everything it needs. */
export function shapeFromSummary(summary: GgufSummary | null): ModelShape | null {
	if (!summary) return null;
	const { blockCount, headCountKv, headDimK, headDimV } = summary;
	if (!blockCount || !headCountKv || !headDimK || !headDimV) return null;
	return {
		nLayer: blockCount,
		nHeadKv: headCountKv,
		headDimK,
		headDimV,
		nEmbd: summary.embeddingLength,
		nVocab: summary.vocabSize
	};
}
