/**
 * The models suggested before the first search. Real Hub repos (ids and quant files checked against
 * the Hub): first the 0.5B–3B instruct models that run in a browser's WebAssembly on a laptop CPU,
 * coding and general, in order of preference; then larger coding models people look for, shown
 * with why they do not fit a browser.
 */
export type RecommendationTier = 'browser' | 'large';

export interface RecommendedRepo {
	id: string;
	tier: RecommendationTier;
	/** What it is for, in a few words. */
	purpose: 'coding' | 'general';
}

export const RECOMMENDED_REPOS: readonly RecommendedRepo[] = [
	{ id: 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF', tier: 'browser', purpose: 'coding' },
	{ id: 'bartowski/Llama-3.2-1B-Instruct-GGUF', tier: 'browser', purpose: 'general' },
	{ id: 'HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF', tier: 'browser', purpose: 'general' },
	{ id: 'Qwen/Qwen2.5-Coder-3B-Instruct-GGUF', tier: 'browser', purpose: 'coding' },
	{ id: 'bartowski/Llama-3.2-3B-Instruct-GGUF', tier: 'browser', purpose: 'general' },
	{ id: 'Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF', tier: 'browser', purpose: 'coding' },
	{ id: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF', tier: 'browser', purpose: 'general' },
	{ id: 'Qwen/Qwen2.5-Coder-7B-Instruct-GGUF', tier: 'large', purpose: 'coding' },
	{ id: 'Qwen/Qwen2.5-Coder-14B-Instruct-GGUF', tier: 'large', purpose: 'coding' },
	{ id: 'TheBloke/deepseek-coder-6.7B-instruct-GGUF', tier: 'large', purpose: 'coding' },
	{ id: 'bartowski/starcoder2-15b-instruct-v0.1-GGUF', tier: 'large', purpose: 'coding' },
	{ id: 'TheBloke/CodeLlama-7B-Instruct-GGUF', tier: 'large', purpose: 'coding' }
];
