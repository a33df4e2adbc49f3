/**
 * Metadata-only repos: realistic GGUF (and a few non-GGUF) repos as they exist on the Hub — owners,
 * naming styles (Qwen lower-case, TheBloke `name.Q4_K_M.gguf`, bartowski `Name-Q4_K_M.gguf` with split
 * folders, unsloth `UD-` quants, ggml-org), file sizes from the parameter count and each quant's
 * bits per weight, downloads, likes and dates. Their files are virtual: a real GGUF header followed
 * by deterministic padding (see repo-store.ts); their lfs SHA-256 is NOT the hash of those bytes.
 */

export interface Family {
	arch: string;
	/** Parameter count (for sizes and `gguf.total`). */
	params: number;
	nEmbd: number;
	nLayer: number;
	nHead: number;
	nHeadKv: number;
	nFf: number;
	nVocab: number;
	ctx: number;
	chatTemplate?: string;
}

export type NamingStyle =
	'qwen' | 'thebloke' | 'bartowski' | 'unsloth' | 'ggml' | 'mradermacher' | 'plain';

export interface CatalogRepo {
	id: string;
	family: Family;
	/** File name stem, e.g. `qwen2.5-coder-7b-instruct` or `Meta-Llama-3.1-8B-Instruct`. */
	stem: string;
	style: NamingStyle;
	/** Quant labels; `label*N` splits that file into N shards. */
	quants: string[];
	downloads: number;
	likes: number;
	createdAt: string;
	lastModified: string;
	license: string;
	baseModel?: string;
	extraTags?: string[];
	gated?: 'auto' | 'manual';
	/** Non-GGUF repo (safetensors shards). */
	safetensors?: number;
	pipeline?: string;
}

const CHATML =
	"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const LLAMA3 =
	"{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
const LLAMA2 =
	"{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + eos_token }}{% endif %}{% endfor %}";
const GEMMA =
	"{{ bos_token }}{% for message in messages %}{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

const F = {
	qwen25_05: {
		arch: 'qwen2',
		params: 494e6,
		nEmbd: 896,
		nLayer: 24,
		nHead: 14,
		nHeadKv: 2,
		nFf: 4864,
		nVocab: 151936,
		ctx: 32768,
		chatTemplate: CHATML
	},
	qwen25_15: {
		arch: 'qwen2',
		params: 1.54e9,
		nEmbd: 1536,
		nLayer: 28,
		nHead: 12,
		nHeadKv: 2,
		nFf: 8960,
		nVocab: 151936,
		ctx: 32768,
		chatTemplate: CHATML
	},
	qwen25_3: {
		arch: 'qwen2',
		params: 3.09e9,
		nEmbd: 2048,
		nLayer: 36,
		nHead: 16,
		nHeadKv: 2,
		nFf: 11008,
		nVocab: 151936,
		ctx: 32768,
		chatTemplate: CHATML
	},
	qwen25_7: {
		arch: 'qwen2',
		params: 7.62e9,
		nEmbd: 3584,
		nLayer: 28,
		nHead: 28,
		nHeadKv: 4,
		nFf: 18944,
		nVocab: 152064,
		ctx: 32768,
		chatTemplate: CHATML
	},
	qwen25_14: {
		arch: 'qwen2',
		params: 14.8e9,
		nEmbd: 5120,
		nLayer: 48,
		nHead: 40,
		nHeadKv: 8,
		nFf: 13824,
		nVocab: 152064,
		ctx: 32768,
		chatTemplate: CHATML
	},
	qwen25_32: {
		arch: 'qwen2',
		params: 32.8e9,
		nEmbd: 5120,
		nLayer: 64,
		nHead: 40,
		nHeadKv: 8,
		nFf: 27648,
		nVocab: 152064,
		ctx: 32768,
		chatTemplate: CHATML
	},
	qwen3_17: {
		arch: 'qwen3',
		params: 2.03e9,
		nEmbd: 2048,
		nLayer: 28,
		nHead: 16,
		nHeadKv: 8,
		nFf: 6144,
		nVocab: 151936,
		ctx: 40960,
		chatTemplate: CHATML
	},
	qwen3_8: {
		arch: 'qwen3',
		params: 8.19e9,
		nEmbd: 4096,
		nLayer: 36,
		nHead: 32,
		nHeadKv: 8,
		nFf: 12288,
		nVocab: 151936,
		ctx: 40960,
		chatTemplate: CHATML
	},
	qwen3coder30: {
		arch: 'qwen3moe',
		params: 30.5e9,
		nEmbd: 2048,
		nLayer: 48,
		nHead: 32,
		nHeadKv: 4,
		nFf: 6144,
		nVocab: 151936,
		ctx: 262144,
		chatTemplate: CHATML
	},
	llama2_7: {
		arch: 'llama',
		params: 6.74e9,
		nEmbd: 4096,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 32,
		nFf: 11008,
		nVocab: 32000,
		ctx: 4096,
		chatTemplate: LLAMA2
	},
	codellama7: {
		arch: 'llama',
		params: 6.74e9,
		nEmbd: 4096,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 32,
		nFf: 11008,
		nVocab: 32016,
		ctx: 16384,
		chatTemplate: LLAMA2
	},
	codellama13: {
		arch: 'llama',
		params: 13.0e9,
		nEmbd: 5120,
		nLayer: 40,
		nHead: 40,
		nHeadKv: 40,
		nFf: 13824,
		nVocab: 32016,
		ctx: 16384,
		chatTemplate: LLAMA2
	},
	dscoder13: {
		arch: 'llama',
		params: 1.35e9,
		nEmbd: 2048,
		nLayer: 24,
		nHead: 16,
		nHeadKv: 16,
		nFf: 5504,
		nVocab: 32256,
		ctx: 16384
	},
	dscoder67: {
		arch: 'llama',
		params: 6.74e9,
		nEmbd: 4096,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 32,
		nFf: 11008,
		nVocab: 32256,
		ctx: 16384
	},
	dscoder33: {
		arch: 'llama',
		params: 33.3e9,
		nEmbd: 7168,
		nLayer: 62,
		nHead: 56,
		nHeadKv: 8,
		nFf: 19200,
		nVocab: 32256,
		ctx: 16384
	},
	dscoderv2lite: {
		arch: 'deepseek2',
		params: 15.7e9,
		nEmbd: 2048,
		nLayer: 27,
		nHead: 16,
		nHeadKv: 16,
		nFf: 10944,
		nVocab: 102400,
		ctx: 163840
	},
	mistral7: {
		arch: 'llama',
		params: 7.24e9,
		nEmbd: 4096,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 8,
		nFf: 14336,
		nVocab: 32768,
		ctx: 32768,
		chatTemplate: LLAMA2
	},
	mixtral: {
		arch: 'llama',
		params: 46.7e9,
		nEmbd: 4096,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 8,
		nFf: 14336,
		nVocab: 32000,
		ctx: 32768,
		chatTemplate: LLAMA2
	},
	llama31_8: {
		arch: 'llama',
		params: 8.03e9,
		nEmbd: 4096,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 8,
		nFf: 14336,
		nVocab: 128256,
		ctx: 131072,
		chatTemplate: LLAMA3
	},
	llama32_1: {
		arch: 'llama',
		params: 1.24e9,
		nEmbd: 2048,
		nLayer: 16,
		nHead: 32,
		nHeadKv: 8,
		nFf: 8192,
		nVocab: 128256,
		ctx: 131072,
		chatTemplate: LLAMA3
	},
	llama32_3: {
		arch: 'llama',
		params: 3.21e9,
		nEmbd: 3072,
		nLayer: 28,
		nHead: 24,
		nHeadKv: 8,
		nFf: 8192,
		nVocab: 128256,
		ctx: 131072,
		chatTemplate: LLAMA3
	},
	tinyllama: {
		arch: 'llama',
		params: 1.1e9,
		nEmbd: 2048,
		nLayer: 22,
		nHead: 32,
		nHeadKv: 4,
		nFf: 5632,
		nVocab: 32000,
		ctx: 2048,
		chatTemplate: CHATML
	},
	starcoder2_15: {
		arch: 'starcoder2',
		params: 16.0e9,
		nEmbd: 6144,
		nLayer: 40,
		nHead: 48,
		nHeadKv: 4,
		nFf: 24576,
		nVocab: 49152,
		ctx: 16384
	},
	starcoder2_3: {
		arch: 'starcoder2',
		params: 3.03e9,
		nEmbd: 3072,
		nLayer: 30,
		nHead: 24,
		nHeadKv: 2,
		nFf: 12288,
		nVocab: 49152,
		ctx: 16384
	},
	gemma2_9: {
		arch: 'gemma2',
		params: 9.24e9,
		nEmbd: 3584,
		nLayer: 42,
		nHead: 16,
		nHeadKv: 8,
		nFf: 14336,
		nVocab: 256000,
		ctx: 8192,
		chatTemplate: GEMMA
	},
	gemma3_1: {
		arch: 'gemma3',
		params: 1.0e9,
		nEmbd: 1152,
		nLayer: 26,
		nHead: 4,
		nHeadKv: 1,
		nFf: 6912,
		nVocab: 262144,
		ctx: 32768,
		chatTemplate: GEMMA
	},
	gemma3_4: {
		arch: 'gemma3',
		params: 3.88e9,
		nEmbd: 2560,
		nLayer: 34,
		nHead: 8,
		nHeadKv: 4,
		nFf: 10240,
		nVocab: 262144,
		ctx: 131072,
		chatTemplate: GEMMA
	},
	codegemma7: {
		arch: 'gemma',
		params: 8.54e9,
		nEmbd: 3072,
		nLayer: 28,
		nHead: 16,
		nHeadKv: 16,
		nFf: 24576,
		nVocab: 256000,
		ctx: 8192,
		chatTemplate: GEMMA
	},
	phi2: {
		arch: 'phi2',
		params: 2.78e9,
		nEmbd: 2560,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 32,
		nFf: 10240,
		nVocab: 51200,
		ctx: 2048
	},
	phi3mini: {
		arch: 'phi3',
		params: 3.82e9,
		nEmbd: 3072,
		nLayer: 32,
		nHead: 32,
		nHeadKv: 32,
		nFf: 8192,
		nVocab: 32064,
		ctx: 4096
	},
	phi4: {
		arch: 'phi3',
		params: 14.7e9,
		nEmbd: 5120,
		nLayer: 40,
		nHead: 40,
		nHeadKv: 10,
		nFf: 17920,
		nVocab: 100352,
		ctx: 16384,
		chatTemplate: CHATML
	},
	granite8: {
		arch: 'granite',
		params: 8.17e9,
		nEmbd: 4096,
		nLayer: 40,
		nHead: 32,
		nHeadKv: 8,
		nFf: 12800,
		nVocab: 49155,
		ctx: 131072
	},
	devstral: {
		arch: 'llama',
		params: 23.6e9,
		nEmbd: 5120,
		nLayer: 40,
		nHead: 32,
		nHeadKv: 8,
		nFf: 32768,
		nVocab: 131072,
		ctx: 131072
	},
	smollm2_17: {
		arch: 'llama',
		params: 1.71e9,
		nEmbd: 2048,
		nLayer: 24,
		nHead: 32,
		nHeadKv: 32,
		nFf: 8192,
		nVocab: 49152,
		ctx: 8192,
		chatTemplate: CHATML
	},
	smollm3: {
		arch: 'smollm3',
		params: 3.08e9,
		nEmbd: 2048,
		nLayer: 36,
		nHead: 16,
		nHeadKv: 4,
		nFf: 11008,
		nVocab: 128256,
		ctx: 65536,
		chatTemplate: CHATML
	},
	wizardcoder13: {
		arch: 'llama',
		params: 13.0e9,
		nEmbd: 5120,
		nLayer: 40,
		nHead: 40,
		nHeadKv: 40,
		nFf: 13824,
		nVocab: 32001,
		ctx: 16384
	},
	gptoss20: {
		arch: 'gpt-oss',
		params: 20.9e9,
		nEmbd: 2880,
		nLayer: 24,
		nHead: 64,
		nHeadKv: 8,
		nFf: 2880,
		nVocab: 201088,
		ctx: 131072
	}
} satisfies Record<string, Family>;

/** Effective bits per weight of each quant (file size ≈ params × bpw / 8), from real repos. */
export const QUANT_BPW: Record<string, number> = {
	F32: 32,
	F16: 16,
	BF16: 16,
	Q8_0: 8.5,
	Q6_K: 6.56,
	Q6_K_L: 6.7,
	Q5_K_M: 5.71,
	Q5_K_S: 5.55,
	Q5_0: 5.59,
	Q5_1: 6.0,
	Q4_K_M: 4.91,
	Q4_K_S: 4.58,
	Q4_K_L: 5.1,
	Q4_0: 4.65,
	Q4_1: 5.1,
	IQ4_NL: 4.6,
	IQ4_XS: 4.46,
	Q3_K_L: 4.3,
	Q3_K_M: 4.0,
	Q3_K_S: 3.6,
	IQ3_M: 3.7,
	IQ3_XS: 3.5,
	IQ3_XXS: 3.2,
	Q2_K: 3.17,
	Q2_K_L: 3.4,
	IQ2_M: 2.9,
	IQ2_XS: 2.5,
	IQ2_XXS: 2.3,
	IQ1_M: 2.0,
	IQ1_S: 1.8,
	MXFP4: 4.25,
	'UD-Q8_K_XL': 9.2,
	'UD-Q6_K_XL': 7.2,
	'UD-Q5_K_XL': 5.9,
	'UD-Q4_K_XL': 5.05,
	'UD-Q3_K_XL': 4.2,
	'UD-Q2_K_XL': 3.3,
	'UD-IQ3_XXS': 3.3,
	'UD-IQ2_M': 3.0,
	'UD-IQ1_S': 1.9
};

/** ggml tensor type of the bulk weights for a quant label. */
export function weightTypeOf(quant: string): string {
	const q = quant.replace(/^UD-/, '').replace(/^i1-/, '').toUpperCase();
	if (q === 'FP16') return 'F16';
	if (/^Q\d_K/.test(q)) return q.slice(0, 4);
	if (q.startsWith('IQ4_XS')) return 'IQ4_XS';
	if (q.startsWith('IQ4_NL')) return 'IQ4_NL';
	if (q.startsWith('IQ3_M') || q.startsWith('IQ3_S')) return 'IQ3_S';
	if (q.startsWith('IQ3_XXS')) return 'IQ3_XXS';
	if (q.startsWith('IQ3_XS')) return 'IQ3_S';
	if (q.startsWith('IQ2_M') || q.startsWith('IQ2_S')) return 'IQ2_S';
	if (q.startsWith('IQ2_XXS')) return 'IQ2_XXS';
	if (q.startsWith('IQ2_XS')) return 'IQ2_XS';
	if (q.startsWith('IQ1_M')) return 'IQ1_M';
	if (q.startsWith('IQ1_S')) return 'IQ1_S';
	return q; // F32, F16, BF16, Q8_0, Q5_0, Q5_1, Q4_0, Q4_1, MXFP4
}

/** llama.cpp `enum llama_ftype` for `general.file_type`. */
export const FILE_TYPES: Record<string, number> = {
	F32: 0,
	F16: 1,
	Q4_0: 2,
	Q4_1: 3,
	Q8_0: 7,
	Q5_0: 8,
	Q5_1: 9,
	Q2_K: 10,
	Q3_K_S: 11,
	Q3_K_M: 12,
	Q3_K_L: 13,
	Q4_K_S: 14,
	Q4_K_M: 15,
	Q5_K_S: 16,
	Q5_K_M: 17,
	Q6_K: 18,
	IQ2_XXS: 19,
	IQ2_XS: 20,
	Q2_K_S: 21,
	IQ3_XS: 22,
	IQ3_XXS: 23,
	IQ1_S: 24,
	IQ4_NL: 25,
	IQ3_S: 26,
	IQ3_M: 27,
	IQ2_S: 28,
	IQ2_M: 29,
	IQ4_XS: 30,
	IQ1_M: 31,
	BF16: 32,
	MXFP4: 38
};

const K = [
	'Q2_K',
	'Q3_K_S',
	'Q3_K_M',
	'Q3_K_L',
	'Q4_0',
	'Q4_K_S',
	'Q4_K_M',
	'Q5_0',
	'Q5_K_S',
	'Q5_K_M',
	'Q6_K',
	'Q8_0'
];
const QWEN = ['q2_k', 'q3_k_m', 'q4_0', 'q4_k_m', 'q5_0', 'q5_k_m', 'q6_k', 'q8_0'];
const BART = [
	'Q8_0',
	'Q6_K_L',
	'Q6_K',
	'Q5_K_M',
	'Q5_K_S',
	'Q4_K_L',
	'Q4_K_M',
	'Q4_K_S',
	'Q4_0',
	'IQ4_XS',
	'Q3_K_L',
	'Q3_K_M',
	'IQ3_M',
	'Q3_K_S',
	'IQ3_XS',
	'Q2_K',
	'IQ2_M'
];
const UNSLOTH = [
	'UD-IQ1_S',
	'UD-Q2_K_XL',
	'UD-Q3_K_XL',
	'Q4_K_M',
	'UD-Q4_K_XL',
	'Q5_K_M',
	'UD-Q5_K_XL',
	'Q6_K',
	'UD-Q6_K_XL',
	'Q8_0',
	'UD-Q8_K_XL'
];
const MRADER = [
	'Q2_K',
	'Q3_K_S',
	'Q3_K_M',
	'Q3_K_L',
	'IQ4_XS',
	'Q4_K_S',
	'Q4_K_M',
	'Q5_K_S',
	'Q5_K_M',
	'Q6_K',
	'Q8_0',
	'f16'
];

const tg = (extra: string[] = []) => ['text-generation', 'conversational', ...extra];

function r(
	id: string,
	family: Family,
	stem: string,
	style: NamingStyle,
	quants: string[],
	downloads: number,
	likes: number,
	createdAt: string,
	lastModified: string,
	license: string,
	rest: Partial<CatalogRepo> = {}
): CatalogRepo {
	return {
		id,
		family,
		stem,
		style,
		quants,
		downloads,
		likes,
		createdAt: `${createdAt}T12:00:00.000Z`,
		lastModified: `${lastModified}T12:00:00.000Z`,
		license,
		...rest
	};
}

export const CATALOG: CatalogRepo[] = [
	// Qwen's own GGUF repos (lower-case names; large files split).
	r(
		'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF',
		F.qwen25_7,
		'qwen2.5-coder-7b-instruct',
		'qwen',
		[...QWEN, 'fp16*4'],
		312_450,
		178,
		'2024-09-17',
		'2024-11-12',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-7B-Instruct',
			extraTags: tg(['code', 'codeqwen', 'chat', 'qwen', 'qwen-coder'])
		}
	),
	r(
		'Qwen/Qwen2.5-Coder-14B-Instruct-GGUF',
		F.qwen25_14,
		'qwen2.5-coder-14b-instruct',
		'qwen',
		['q2_k', 'q3_k_m', 'q4_0', 'q4_k_m', 'q5_0', 'q5_k_m', 'q6_k*2', 'q8_0*3', 'fp16*8'],
		98_120,
		92,
		'2024-11-06',
		'2024-11-12',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-14B-Instruct',
			extraTags: tg(['code', 'codeqwen', 'chat', 'qwen', 'qwen-coder'])
		}
	),
	r(
		'Qwen/Qwen2.5-Coder-32B-Instruct-GGUF',
		F.qwen25_32,
		'qwen2.5-coder-32b-instruct',
		'qwen',
		['q2_k', 'q3_k_m*2', 'q4_0*3', 'q4_k_m*3', 'q5_0*3', 'q5_k_m*3', 'q6_k*4', 'q8_0*5'],
		121_877,
		214,
		'2024-11-06',
		'2024-11-12',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-32B-Instruct',
			extraTags: tg(['code', 'codeqwen', 'chat', 'qwen', 'qwen-coder'])
		}
	),
	r(
		'Qwen/Qwen2.5-Coder-3B-Instruct-GGUF',
		F.qwen25_3,
		'qwen2.5-coder-3b-instruct',
		'qwen',
		[...QWEN, 'fp16'],
		64_310,
		41,
		'2024-11-06',
		'2024-11-12',
		'other',
		{ baseModel: 'Qwen/Qwen2.5-Coder-3B-Instruct', extraTags: tg(['code', 'qwen-coder']) }
	),
	r(
		'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF',
		F.qwen25_15,
		'qwen2.5-coder-1.5b-instruct',
		'qwen',
		[...QWEN, 'fp16'],
		88_204,
		57,
		'2024-09-17',
		'2024-11-12',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen2.5-Coder-1.5B-Instruct', extraTags: tg(['code', 'qwen-coder']) }
	),
	r(
		'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF',
		F.qwen25_05,
		'qwen2.5-coder-0.5b-instruct',
		'qwen',
		[...QWEN, 'fp16'],
		71_905,
		38,
		'2024-11-06',
		'2024-11-12',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen2.5-Coder-0.5B-Instruct', extraTags: tg(['code', 'qwen-coder']) }
	),
	// Hugging Face's own small model: one Q4_K_M file (gguf-my-repo naming).
	r(
		'HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF',
		F.smollm2_17,
		'smollm2-1.7b-instruct',
		'qwen',
		['q4_k_m'],
		24_380,
		31,
		'2024-11-01',
		'2024-11-21',
		'apache-2.0',
		{
			baseModel: 'HuggingFaceTB/SmolLM2-1.7B-Instruct',
			extraTags: ['transformers', 'llama-cpp', 'gguf-my-repo', 'conversational']
		}
	),
	r(
		'Qwen/Qwen2.5-7B-Instruct-GGUF',
		F.qwen25_7,
		'qwen2.5-7b-instruct',
		'qwen',
		['q2_k', 'q3_k_m', 'q4_0*2', 'q4_k_m*2', 'q5_0*2', 'q5_k_m*2', 'q6_k*2', 'q8_0*3', 'fp16*4'],
		187_331,
		161,
		'2024-09-17',
		'2024-09-20',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen2.5-7B-Instruct', extraTags: tg(['chat']) }
	),
	r(
		'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
		F.qwen25_05,
		'qwen2.5-0.5b-instruct',
		'qwen',
		[...QWEN, 'fp16'],
		231_540,
		98,
		'2024-09-17',
		'2024-09-20',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen2.5-0.5B-Instruct', extraTags: tg(['chat']) }
	),
	r(
		'Qwen/Qwen3-8B-GGUF',
		F.qwen3_8,
		'Qwen3-8B',
		'bartowski',
		['Q4_K_M', 'Q5_0', 'Q5_K_M', 'Q6_K', 'Q8_0'],
		145_902,
		201,
		'2025-04-28',
		'2025-05-12',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen3-8B' }
	),
	// TheBloke (name.QUANT.gguf, the full K-quant ladder).
	r(
		'TheBloke/deepseek-coder-6.7B-instruct-GGUF',
		F.dscoder67,
		'deepseek-coder-6.7b-instruct',
		'thebloke',
		K,
		41_223,
		196,
		'2023-11-03',
		'2023-11-05',
		'other',
		{
			baseModel: 'deepseek-ai/deepseek-coder-6.7b-instruct',
			extraTags: ['transformers', 'deepseek', 'text-generation-inference']
		}
	),
	r(
		'TheBloke/CodeLlama-7B-Instruct-GGUF',
		F.codellama7,
		'codellama-7b-instruct',
		'thebloke',
		K,
		38_512,
		137,
		'2023-08-24',
		'2023-09-27',
		'llama2',
		{
			baseModel: 'codellama/CodeLlama-7b-instruct-hf',
			extraTags: ['transformers', 'llama-2', 'code', 'text-generation-inference']
		}
	),
	r(
		'TheBloke/CodeLlama-13B-Instruct-GGUF',
		F.codellama13,
		'codellama-13b-instruct',
		'thebloke',
		K,
		12_804,
		118,
		'2023-08-24',
		'2023-09-27',
		'llama2',
		{
			baseModel: 'codellama/CodeLlama-13b-instruct-hf',
			extraTags: ['transformers', 'llama-2', 'code']
		}
	),
	r(
		'TheBloke/deepseek-coder-1.3b-instruct-GGUF',
		F.dscoder13,
		'deepseek-coder-1.3b-instruct',
		'thebloke',
		K,
		19_776,
		38,
		'2023-11-03',
		'2023-11-05',
		'other',
		{
			baseModel: 'deepseek-ai/deepseek-coder-1.3b-instruct',
			extraTags: ['transformers', 'deepseek']
		}
	),
	r(
		'TheBloke/deepseek-coder-33B-instruct-GGUF',
		F.dscoder33,
		'deepseek-coder-33b-instruct',
		'thebloke',
		K,
		9_311,
		171,
		'2023-11-03',
		'2023-11-05',
		'other',
		{
			baseModel: 'deepseek-ai/deepseek-coder-33b-instruct',
			extraTags: ['transformers', 'deepseek']
		}
	),
	r(
		'TheBloke/Mistral-7B-Instruct-v0.2-GGUF',
		F.mistral7,
		'mistral-7b-instruct-v0.2',
		'thebloke',
		K,
		96_540,
		432,
		'2023-12-11',
		'2023-12-11',
		'apache-2.0',
		{
			baseModel: 'mistralai/Mistral-7B-Instruct-v0.2',
			extraTags: ['transformers', 'mistral', 'finetuned', 'text-generation-inference']
		}
	),
	r(
		'TheBloke/Llama-2-7B-Chat-GGUF',
		F.llama2_7,
		'llama-2-7b-chat',
		'thebloke',
		K,
		73_020,
		482,
		'2023-09-04',
		'2023-10-14',
		'llama2',
		{
			baseModel: 'meta-llama/Llama-2-7b-chat-hf',
			extraTags: ['transformers', 'llama', 'facebook', 'meta', 'pytorch', 'llama-2']
		}
	),
	r(
		'TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF',
		F.tinyllama,
		'tinyllama-1.1b-chat-v1.0',
		'thebloke',
		K,
		84_118,
		166,
		'2023-12-31',
		'2023-12-31',
		'apache-2.0',
		{ baseModel: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', extraTags: ['transformers', 'tinyllama'] }
	),
	r(
		'TheBloke/phi-2-GGUF',
		F.phi2,
		'phi-2',
		'thebloke',
		K,
		22_871,
		197,
		'2023-12-18',
		'2023-12-18',
		'other',
		{ baseModel: 'microsoft/phi-2', extraTags: ['transformers', 'nlp', 'code'] }
	),
	r(
		'TheBloke/WizardCoder-Python-13B-V1.0-GGUF',
		F.wizardcoder13,
		'wizardcoder-python-13b-v1.0',
		'thebloke',
		K,
		3_418,
		57,
		'2023-09-05',
		'2023-09-27',
		'llama2',
		{ baseModel: 'WizardLMTeam/WizardCoder-Python-13B-V1.0', extraTags: ['transformers', 'code'] }
	),
	r(
		'TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF',
		F.mixtral,
		'mixtral-8x7b-instruct-v0.1',
		'thebloke',
		['Q2_K', 'Q3_K_M', 'Q4_0', 'Q4_K_M', 'Q5_0', 'Q5_K_M', 'Q6_K', 'Q8_0'],
		31_456,
		641,
		'2023-12-11',
		'2023-12-14',
		'apache-2.0',
		{ baseModel: 'mistralai/Mixtral-8x7B-Instruct-v0.1', extraTags: ['transformers', 'mixtral'] }
	),
	r(
		'TheBloke/zephyr-7B-beta-GGUF',
		F.mistral7,
		'zephyr-7b-beta',
		'thebloke',
		K,
		18_245,
		226,
		'2023-10-27',
		'2023-10-27',
		'mit',
		{
			baseModel: 'HuggingFaceH4/zephyr-7b-beta',
			extraTags: ['transformers', 'mistral', 'generated_from_trainer']
		}
	),
	r(
		'TheBloke/OpenHermes-2.5-Mistral-7B-GGUF',
		F.mistral7,
		'openhermes-2.5-mistral-7b',
		'thebloke',
		K,
		16_902,
		179,
		'2023-11-02',
		'2023-11-02',
		'apache-2.0',
		{
			baseModel: 'teknium/OpenHermes-2.5-Mistral-7B',
			extraTags: ['transformers', 'mistral', 'instruct', 'finetune', 'chatml']
		}
	),
	// bartowski (Name-QUANT.gguf, imatrix ladders, big quants in sub-folders).
	r(
		'bartowski/starcoder2-15b-instruct-v0.1-GGUF',
		F.starcoder2_15,
		'starcoder2-15b-instruct-v0.1',
		'bartowski',
		[
			'Q8_0',
			'Q6_K',
			'Q5_K_M',
			'Q5_K_S',
			'Q4_K_M',
			'Q4_K_S',
			'IQ4_NL',
			'IQ4_XS',
			'Q3_K_L',
			'Q3_K_M',
			'IQ3_M',
			'Q3_K_S',
			'IQ3_XS',
			'IQ3_XXS',
			'Q2_K',
			'IQ2_M',
			'IQ2_XS',
			'IQ2_XXS',
			'IQ1_M',
			'IQ1_S'
		],
		4_918,
		27,
		'2024-04-30',
		'2024-05-03',
		'bigcode-openrail-m',
		{ baseModel: 'bigcode/starcoder2-15b-instruct-v0.1', extraTags: ['code', 'starcoder2'] }
	),
	r(
		'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF',
		F.llama31_8,
		'Meta-Llama-3.1-8B-Instruct',
		'bartowski',
		[...BART, 'f32*2'],
		201_664,
		262,
		'2024-07-23',
		'2024-09-24',
		'llama3.1',
		{
			baseModel: 'meta-llama/Llama-3.1-8B-Instruct',
			extraTags: ['facebook', 'meta', 'pytorch', 'llama', 'llama-3']
		}
	),
	r(
		'bartowski/Qwen2.5-Coder-7B-Instruct-GGUF',
		F.qwen25_7,
		'Qwen2.5-Coder-7B-Instruct',
		'bartowski',
		[...BART, 'f16'],
		57_230,
		71,
		'2024-09-19',
		'2024-11-12',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-7B-Instruct',
			extraTags: ['code', 'qwen', 'qwen-coder', 'codeqwen']
		}
	),
	r(
		'bartowski/Qwen2.5-Coder-32B-Instruct-GGUF',
		F.qwen25_32,
		'Qwen2.5-Coder-32B-Instruct',
		'bartowski',
		[
			'Q8_0*2',
			'Q6_K_L',
			'Q6_K',
			'Q5_K_M',
			'Q4_K_L',
			'Q4_K_M',
			'IQ4_XS',
			'Q3_K_L',
			'Q3_K_M',
			'IQ3_XS',
			'Q2_K',
			'IQ2_M'
		],
		83_604,
		152,
		'2024-11-11',
		'2024-11-12',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-32B-Instruct',
			extraTags: ['code', 'qwen', 'qwen-coder', 'codeqwen']
		}
	),
	r(
		'bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF',
		F.dscoderv2lite,
		'DeepSeek-Coder-V2-Lite-Instruct',
		'bartowski',
		BART,
		28_764,
		98,
		'2024-06-17',
		'2024-06-27',
		'other',
		{ baseModel: 'deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct', extraTags: ['code'] }
	),
	r(
		'bartowski/gemma-2-9b-it-GGUF',
		F.gemma2_9,
		'gemma-2-9b-it',
		'bartowski',
		BART,
		42_551,
		203,
		'2024-06-27',
		'2024-08-03',
		'gemma',
		{ baseModel: 'google/gemma-2-9b-it' }
	),
	r(
		'bartowski/Phi-3.5-mini-instruct-GGUF',
		F.phi3mini,
		'Phi-3.5-mini-instruct',
		'bartowski',
		BART,
		31_087,
		71,
		'2024-08-20',
		'2024-08-21',
		'mit',
		{ baseModel: 'microsoft/Phi-3.5-mini-instruct', extraTags: ['nlp', 'code'] }
	),
	r(
		'bartowski/Mistral-7B-Instruct-v0.3-GGUF',
		F.mistral7,
		'Mistral-7B-Instruct-v0.3',
		'bartowski',
		BART,
		39_805,
		84,
		'2024-05-22',
		'2024-06-13',
		'apache-2.0',
		{ baseModel: 'mistralai/Mistral-7B-Instruct-v0.3' }
	),
	r(
		'bartowski/Llama-3.2-3B-Instruct-GGUF',
		F.llama32_3,
		'Llama-3.2-3B-Instruct',
		'bartowski',
		[...BART, 'f16'],
		163_018,
		143,
		'2024-09-25',
		'2024-09-26',
		'llama3.2',
		{
			baseModel: 'meta-llama/Llama-3.2-3B-Instruct',
			extraTags: ['facebook', 'meta', 'llama', 'llama-3']
		}
	),
	r(
		'bartowski/Llama-3.2-1B-Instruct-GGUF',
		F.llama32_1,
		'Llama-3.2-1B-Instruct',
		'bartowski',
		[...BART, 'f16'],
		109_442,
		96,
		'2024-09-25',
		'2024-09-26',
		'llama3.2',
		{
			baseModel: 'meta-llama/Llama-3.2-1B-Instruct',
			extraTags: ['facebook', 'meta', 'llama', 'llama-3']
		}
	),
	r(
		'bartowski/codegemma-7b-it-GGUF',
		F.codegemma7,
		'codegemma-7b-it',
		'bartowski',
		BART,
		3_102,
		14,
		'2024-04-09',
		'2024-04-09',
		'gemma',
		{ baseModel: 'google/codegemma-7b-it', extraTags: ['code'] }
	),
	r(
		'bartowski/granite-3.1-8b-instruct-GGUF',
		F.granite8,
		'granite-3.1-8b-instruct',
		'bartowski',
		BART,
		6_415,
		9,
		'2024-12-18',
		'2024-12-19',
		'apache-2.0',
		{ baseModel: 'ibm-granite/granite-3.1-8b-instruct', extraTags: ['language', 'granite-3.1'] }
	),
	r(
		'bartowski/starcoder2-3b-GGUF',
		F.starcoder2_3,
		'starcoder2-3b',
		'bartowski',
		['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_K_S', 'IQ4_XS', 'Q3_K_M', 'Q2_K'],
		2_107,
		6,
		'2024-03-01',
		'2024-03-04',
		'bigcode-openrail-m',
		{ baseModel: 'bigcode/starcoder2-3b', extraTags: ['code'], pipeline: 'text-generation' }
	),
	r(
		'bartowski/Qwen_Qwen3-8B-GGUF',
		F.qwen3_8,
		'Qwen_Qwen3-8B',
		'bartowski',
		[...BART, 'bf16'],
		51_662,
		44,
		'2025-04-29',
		'2025-05-02',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen3-8B', extraTags: ['qwen3'] }
	),
	r(
		'bartowski/google_gemma-3-4b-it-GGUF',
		F.gemma3_4,
		'google_gemma-3-4b-it',
		'bartowski',
		BART,
		66_030,
		61,
		'2025-03-12',
		'2025-03-13',
		'gemma',
		{ baseModel: 'google/gemma-3-4b-it', pipeline: 'image-text-to-text' }
	),
	// unsloth (UD- dynamic quants, BF16 in its own folder).
	r(
		'unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF',
		F.qwen3coder30,
		'Qwen3-Coder-30B-A3B-Instruct',
		'unsloth',
		[...UNSLOTH, 'BF16*2'],
		402_331,
		611,
		'2025-07-31',
		'2025-08-08',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
			extraTags: ['unsloth', 'qwen3', 'qwen', 'code']
		}
	),
	r(
		'unsloth/Qwen2.5-Coder-7B-Instruct-GGUF',
		F.qwen25_7,
		'Qwen2.5-Coder-7B-Instruct',
		'unsloth',
		['Q2_K', 'Q3_K_M', 'Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16'],
		14_230,
		22,
		'2024-11-12',
		'2025-02-01',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen2.5-Coder-7B-Instruct', extraTags: ['unsloth', 'code', 'qwen'] }
	),
	r(
		'unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF',
		F.qwen25_7,
		'DeepSeek-R1-Distill-Qwen-7B',
		'unsloth',
		['Q2_K', 'Q2_K_L', 'Q3_K_M', 'Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16'],
		121_007,
		187,
		'2025-01-20',
		'2025-02-13',
		'apache-2.0',
		{
			baseModel: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
			extraTags: ['unsloth', 'deepseek', 'qwen']
		}
	),
	r(
		'unsloth/Llama-3.2-3B-Instruct-GGUF',
		F.llama32_3,
		'Llama-3.2-3B-Instruct',
		'unsloth',
		['Q2_K', 'Q3_K_M', 'Q4_K_M', 'UD-Q4_K_XL', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16'],
		77_915,
		58,
		'2024-09-25',
		'2025-05-01',
		'llama3.2',
		{
			baseModel: 'meta-llama/Llama-3.2-3B-Instruct',
			extraTags: ['unsloth', 'llama', 'llama-3', 'meta']
		}
	),
	r(
		'unsloth/gemma-3-4b-it-GGUF',
		F.gemma3_4,
		'gemma-3-4b-it',
		'unsloth',
		[
			'UD-IQ1_S',
			'UD-Q2_K_XL',
			'UD-Q3_K_XL',
			'Q4_K_M',
			'UD-Q4_K_XL',
			'Q5_K_M',
			'Q6_K',
			'Q8_0',
			'BF16'
		],
		168_420,
		126,
		'2025-03-12',
		'2025-04-29',
		'gemma',
		{
			baseModel: 'google/gemma-3-4b-it',
			extraTags: ['unsloth', 'gemma3', 'gemma', 'google'],
			pipeline: 'image-text-to-text'
		}
	),
	r(
		'unsloth/phi-4-GGUF',
		F.phi4,
		'phi-4',
		'unsloth',
		['Q2_K', 'Q3_K_M', 'Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16*2'],
		36_224,
		143,
		'2025-01-08',
		'2025-01-10',
		'mit',
		{
			baseModel: 'microsoft/phi-4',
			extraTags: ['unsloth', 'phi', 'phi4', 'nlp', 'code', 'microsoft']
		}
	),
	r(
		'unsloth/Devstral-Small-2505-GGUF',
		F.devstral,
		'Devstral-Small-2505',
		'unsloth',
		[
			'UD-IQ1_S',
			'UD-IQ2_M',
			'UD-Q2_K_XL',
			'UD-Q3_K_XL',
			'Q4_K_M',
			'UD-Q4_K_XL',
			'Q5_K_M',
			'Q6_K',
			'Q8_0',
			'BF16*2'
		],
		48_771,
		162,
		'2025-05-21',
		'2025-06-03',
		'apache-2.0',
		{ baseModel: 'mistralai/Devstral-Small-2505', extraTags: ['unsloth', 'mistral', 'code'] }
	),
	r(
		'unsloth/gpt-oss-20b-GGUF',
		F.gptoss20,
		'gpt-oss-20b',
		'unsloth',
		['Q2_K', 'Q3_K_M', 'Q4_K_M', 'UD-Q4_K_XL', 'Q5_K_M', 'Q8_0', 'F16'],
		512_904,
		455,
		'2025-08-05',
		'2025-08-16',
		'apache-2.0',
		{ baseModel: 'openai/gpt-oss-20b', extraTags: ['unsloth', 'openai', 'gpt_oss'] }
	),
	// ggml-org (llama.cpp's own, single quant repos).
	r(
		'ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF',
		F.qwen25_15,
		'qwen2.5-coder-1.5b',
		'ggml',
		['q8_0'],
		27_553,
		5,
		'2024-10-03',
		'2024-10-03',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-1.5B',
			extraTags: ['code', 'qwen', 'llama-cpp', 'gguf-my-repo'],
			pipeline: 'text-generation'
		}
	),
	r(
		'ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF',
		F.qwen25_7,
		'qwen2.5-coder-7b',
		'ggml',
		['q8_0'],
		9_870,
		4,
		'2024-10-03',
		'2024-10-03',
		'apache-2.0',
		{
			baseModel: 'Qwen/Qwen2.5-Coder-7B',
			extraTags: ['code', 'qwen', 'llama-cpp', 'gguf-my-repo'],
			pipeline: 'text-generation'
		}
	),
	r(
		'ggml-org/gemma-3-1b-it-GGUF',
		F.gemma3_1,
		'gemma-3-1b-it',
		'bartowski',
		['Q4_K_M', 'Q8_0', 'f16'],
		61_288,
		39,
		'2025-03-12',
		'2025-03-12',
		'gemma',
		{ baseModel: 'google/gemma-3-1b-it' }
	),
	r(
		'ggml-org/Qwen3-1.7B-GGUF',
		F.qwen3_17,
		'Qwen3-1.7B',
		'bartowski',
		['Q4_K_M', 'Q8_0', 'f16'],
		23_514,
		12,
		'2025-05-02',
		'2025-05-02',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen3-1.7B' }
	),
	r(
		'ggml-org/SmolLM3-3B-GGUF',
		F.smollm3,
		'SmolLM3-Q4_K_M',
		'plain',
		['Q4_K_M'],
		18_210,
		17,
		'2025-07-08',
		'2025-07-09',
		'apache-2.0',
		{ baseModel: 'HuggingFaceTB/SmolLM3-3B' }
	),
	r(
		'ggml-org/gpt-oss-20b-GGUF',
		F.gptoss20,
		'gpt-oss-20b',
		'ggml',
		['mxfp4'],
		301_245,
		133,
		'2025-08-05',
		'2025-08-07',
		'apache-2.0',
		{ baseModel: 'openai/gpt-oss-20b' }
	),
	// Others: lmstudio-community, mradermacher, QuantFactory, second-state, microsoft, google (gated).
	r(
		'lmstudio-community/Qwen2.5-Coder-7B-Instruct-GGUF',
		F.qwen25_7,
		'Qwen2.5-Coder-7B-Instruct',
		'bartowski',
		['Q3_K_L', 'Q4_K_M', 'Q6_K', 'Q8_0'],
		25_008,
		19,
		'2024-09-19',
		'2024-11-12',
		'apache-2.0',
		{ baseModel: 'Qwen/Qwen2.5-Coder-7B-Instruct', extraTags: ['code', 'qwen'] }
	),
	r(
		'lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF',
		F.llama31_8,
		'Meta-Llama-3.1-8B-Instruct',
		'bartowski',
		['Q3_K_L', 'Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'IQ4_XS'],
		254_115,
		239,
		'2024-07-23',
		'2024-07-28',
		'llama3.1',
		{
			baseModel: 'meta-llama/Llama-3.1-8B-Instruct',
			extraTags: ['facebook', 'meta', 'llama', 'llama-3']
		}
	),
	r(
		'mradermacher/Qwen2.5-Coder-7B-Instruct-abliterated-GGUF',
		F.qwen25_7,
		'Qwen2.5-Coder-7B-Instruct-abliterated',
		'mradermacher',
		MRADER,
		2_514,
		3,
		'2024-11-15',
		'2024-11-16',
		'apache-2.0',
		{
			baseModel: 'huihui-ai/Qwen2.5-Coder-7B-Instruct-abliterated',
			extraTags: ['code', 'abliterated', 'uncensored']
		}
	),
	r(
		'mradermacher/DeepSeek-Coder-V2-Lite-Instruct-i1-GGUF',
		F.dscoderv2lite,
		'DeepSeek-Coder-V2-Lite-Instruct',
		'mradermacher',
		['i1-IQ1_S', 'i1-IQ2_M', 'i1-IQ3_M', 'i1-IQ4_XS', 'i1-Q4_K_M', 'i1-Q5_K_M', 'i1-Q6_K'],
		1_977,
		2,
		'2024-06-21',
		'2024-06-22',
		'other',
		{ baseModel: 'deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct', extraTags: ['code'] }
	),
	r(
		'QuantFactory/Meta-Llama-3-8B-Instruct-GGUF',
		F.llama31_8,
		'Meta-Llama-3-8B-Instruct',
		'thebloke',
		K,
		32_671,
		274,
		'2024-04-18',
		'2024-06-04',
		'llama3',
		{
			baseModel: 'meta-llama/Meta-Llama-3-8B-Instruct',
			extraTags: ['facebook', 'meta', 'llama', 'llama-3']
		}
	),
	r(
		'second-state/StarCoder2-15B-GGUF',
		F.starcoder2_15,
		'starcoder2-15b',
		'thebloke',
		['Q2_K', 'Q3_K_M', 'Q4_0', 'Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0'],
		892,
		2,
		'2024-03-01',
		'2024-03-03',
		'bigcode-openrail-m',
		{ baseModel: 'bigcode/starcoder2-15b', extraTags: ['code', 'starcoder2'] }
	),
	r(
		'microsoft/Phi-3-mini-4k-instruct-gguf',
		F.phi3mini,
		'Phi-3-mini-4k-instruct',
		'plain',
		['q4', 'fp16'],
		58_092,
		499,
		'2024-04-22',
		'2024-07-02',
		'mit',
		{ extraTags: ['nlp', 'code'] }
	),
	r(
		'google/gemma-3-4b-it-qat-q4_0-gguf',
		F.gemma3_4,
		'gemma-3-4b-it',
		'ggml',
		['q4_0'],
		45_320,
		204,
		'2025-04-03',
		'2025-04-18',
		'gemma',
		{ baseModel: 'google/gemma-3-4b-it', gated: 'manual', pipeline: 'image-text-to-text' }
	),
	r(
		'meta-llama/Llama-3.2-1B-Instruct-QLORA_INT4_EO8-GGUF',
		F.llama32_1,
		'Llama-3.2-1B-Instruct-QLORA_INT4_EO8',
		'plain',
		['Q4_0'],
		1_301,
		14,
		'2024-10-24',
		'2024-10-24',
		'llama3.2',
		{
			baseModel: 'meta-llama/Llama-3.2-1B-Instruct',
			gated: 'auto',
			extraTags: ['facebook', 'meta', 'llama', 'llama-3']
		}
	),
	// Non-GGUF repos (safetensors), so that `filter=gguf` has something to leave out.
	r(
		'Qwen/Qwen2.5-Coder-7B-Instruct',
		F.qwen25_7,
		'model',
		'plain',
		[],
		1_204_332,
		612,
		'2024-09-17',
		'2024-11-12',
		'apache-2.0',
		{
			safetensors: 4,
			extraTags: [
				'transformers',
				'safetensors',
				'qwen2',
				'code',
				'codeqwen',
				'chat',
				'qwen',
				'qwen-coder'
			]
		}
	),
	r(
		'deepseek-ai/deepseek-coder-6.7b-instruct',
		F.dscoder67,
		'model',
		'plain',
		[],
		95_431,
		431,
		'2023-10-29',
		'2024-03-07',
		'other',
		{ safetensors: 2, extraTags: ['transformers', 'pytorch', 'safetensors', 'llama'] }
	),
	r(
		'bigcode/starcoder2-15b',
		F.starcoder2_15,
		'model',
		'plain',
		[],
		17_889,
		590,
		'2024-02-20',
		'2024-06-05',
		'bigcode-openrail-m',
		{ safetensors: 14, extraTags: ['transformers', 'safetensors', 'starcoder2', 'code'] }
	),
	r(
		'mistralai/Mistral-7B-Instruct-v0.3',
		F.mistral7,
		'model',
		'plain',
		[],
		851_003,
		1_854,
		'2024-05-22',
		'2024-08-21',
		'apache-2.0',
		{ safetensors: 3, gated: 'auto', extraTags: ['transformers', 'safetensors', 'mistral'] }
	),
	r(
		'meta-llama/Llama-3.1-8B-Instruct',
		F.llama31_8,
		'model',
		'plain',
		[],
		5_402_118,
		4_512,
		'2024-07-18',
		'2024-09-25',
		'llama3.1',
		{
			safetensors: 4,
			gated: 'manual',
			extraTags: ['transformers', 'safetensors', 'llama', 'facebook', 'meta', 'pytorch', 'llama-3']
		}
	)
];

/** File path(s) for one quant entry (`label` or `label*N`) in a repo's naming style. */
export function quantFiles(repo: CatalogRepo, entry: string): { quant: string; paths: string[] } {
	const [quant, n] = entry.split('*') as [string, string | undefined];
	const shards = Number(n ?? 1);
	const { stem, style } = repo;
	const base =
		style === 'thebloke' || style === 'mradermacher'
			? `${stem}.${quant}`
			: style === 'plain' && stem.endsWith(quant)
				? stem
				: `${stem}-${quant}`;
	if (shards === 1) return { quant, paths: [`${base}.gguf`] };
	const parts = Array.from(
		{ length: shards },
		(_, i) => `${base}-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.gguf`
	);
	const folder = style === 'bartowski' ? `${base}/` : style === 'unsloth' ? `${quant}/` : '';
	return { quant, paths: parts.map((p) => folder + p) };
}
