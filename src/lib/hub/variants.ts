/**
 * Groups a repo's GGUF files into downloadable variants: split shards (`-00001-of-00003.gguf`)
 * become one variant, each labelled with its quant type, and one variant is recommended.
 */
import { parseGgufShardFilename } from '@huggingface/gguf';
import { isLegacyQuant, nominalBitsPerWeight, parseQuantLabel, quantRank } from './quant';
import type { HubFile, ModelVariant } from './types';

/** Preferred for in-browser use, in order (K-quants have SIMD kernels in wllama's wasm). */
export const RECOMMENDED_ORDER = [
	'Q4_K_M',
	'Q5_K_M',
	'Q6_K',
	'Q4_K_XL',
	'Q4_K_S',
	'Q5_K_S',
	'Q5_K_XL',
	'Q6_K_XL',
	'Q3_K_L',
	'Q3_K_M',
	'Q3_K_XL',
	'IQ4_XS'
] as const;

/** Files that are GGUF but not a model to chat with on their own. */
function isAuxiliary(path: string): boolean {
	const name = (path.split('/').pop() ?? path).toLowerCase();
	return name.startsWith('mmproj') || name.includes('imatrix');
}

interface Group {
	key: string;
	files: { file: HubFile; index: number }[];
	expectedCount: number;
}

export interface GroupOptions {
	/** Total parameters (from the Hub's `gguf.total` or the header), for measured bits per weight. */
	parameterCount?: number | null;
}

export function groupVariants(
	files: readonly HubFile[],
	options: GroupOptions = {}
): ModelVariant[] {
	const groups = new Map<string, Group>();
	for (const file of files) {
		if (!file.path.toLowerCase().endsWith('.gguf') || isAuxiliary(file.path)) continue;
		const shard = parseGgufShardFilename(file.path);
		if (shard) {
			const key = shard.prefix;
			const group = groups.get(key) ?? { key, files: [], expectedCount: Number(shard.total) };
			group.files.push({ file, index: Number(shard.shard) });
			groups.set(key, group);
		} else {
			const key = file.path.replace(/\.gguf$/i, '');
			groups.set(key, { key, files: [{ file, index: 1 }], expectedCount: 1 });
		}
	}

	const variants: ModelVariant[] = [];
	for (const group of groups.values()) {
		const ordered = group.files.sort((a, b) => a.index - b.index).map((entry) => entry.file);
		const parsed = parseQuantLabel(group.key);
		const stem = group.key.split('/').pop() ?? group.key;
		const totalBytes = ordered.reduce((sum, file) => sum + file.size, 0);
		const params = options.parameterCount ?? null;
		const quant = parsed?.quant ?? null;
		variants.push({
			key: group.key,
			label: parsed?.label ?? stem,
			quant,
			files: ordered,
			totalBytes,
			shardCount: ordered.length,
			bitsPerWeight:
				params && params > 0 ? round2((totalBytes * 8) / params) : nominalBitsPerWeight(quant),
			recommended: false,
			legacy: isLegacyQuant(quant)
		});
	}

	// Two variants with the same label (several models in one repo): show their file stems.
	const counts = new Map<string, number>();
	for (const variant of variants) counts.set(variant.label, (counts.get(variant.label) ?? 0) + 1);
	for (const variant of variants) {
		if ((counts.get(variant.label) ?? 0) > 1)
			variant.label = variant.key.split('/').pop() ?? variant.key;
	}

	variants.sort(
		(a, b) =>
			quantRank(a.quant) - quantRank(b.quant) ||
			b.totalBytes - a.totalBytes ||
			a.key.localeCompare(b.key)
	);
	const pick = recommendVariant(variants);
	if (pick) pick.recommended = true;
	return variants;
}

/** True when a split variant lacks some of its shards (an incomplete upload). */
export function isIncomplete(variant: ModelVariant): boolean {
	const first = variant.files[0];
	const shard = first ? parseGgufShardFilename(first.path) : null;
	return shard !== null && Number(shard.total) !== variant.files.length;
}

/** The variant to suggest first: Q4_K_M, then Q5_K_M, Q6_K, then other K-quants; plain over `UD-`. */
export function recommendVariant(variants: readonly ModelVariant[]): ModelVariant | null {
	const complete = variants.filter((variant) => !isIncomplete(variant));
	for (const quant of RECOMMENDED_ORDER) {
		const matches = complete.filter((variant) => variant.quant === quant);
		if (matches.length === 0) continue;
		return matches.find((variant) => !variant.label.startsWith('UD-')) ?? matches[0] ?? null;
	}
	return null;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
