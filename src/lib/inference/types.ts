/** Types shared by the inference engine and its callers (chat, benchmarks). */
import type { LlamaTuning } from './tuning';

/** Where llama.cpp runs. */
export type Backend = 'webgpu' | 'wasm-multi' | 'wasm-single';

export const BACKEND_LABELS: Record<Backend, string> = {
	webgpu: 'WebGPU',
	'wasm-multi': 'WASM (multi-thread)',
	'wasm-single': 'WASM (single thread)'
};

/** What the environment offers, gathered once before loading a model. */
export interface EnvironmentProbe {
	crossOriginIsolated: boolean;
	hardwareConcurrency: number;
	/** null when `navigator.gpu` is absent or gives no adapter. */
	gpu: {
		maxBufferSize: number;
		maxStorageBufferBindingSize: number;
		shaderF16: boolean;
	} | null;
}

export interface BackendPlan {
	backend: Backend;
	threads: number;
	/** llama.cpp `n_gpu_layers`: all of them on WebGPU, 0 on the CPU. */
	gpuLayers: number;
	/** Why this backend, in words for the UI. */
	reason: string;
}

export type BackendPreference = 'auto' | Backend;

export interface LoadOptions {
	/** Display name (default: the first file's name). */
	name?: string;
	/** Context window in tokens (default 2048; the chat picks one with `chooseContextSize`). */
	contextSize?: number;
	backend?: BackendPreference;
	/** Force a thread count (benchmarks); otherwise chosen by model size. */
	threads?: number;
	/** llama.cpp knobs (benchmarks); default `DEFAULT_TUNING`. */
	tuning?: LlamaTuning;
	/** Give up when loading takes longer (default 120 s). */
	timeoutMs?: number;
	signal?: AbortSignal;
}

export interface LoadedModel {
	name: string;
	files: number;
	sizeBytes: number;
	backend: Backend;
	threads: number;
	backendReason: string;
	contextSize: number;
	trainContextSize: number;
	nLayer: number;
	nEmbd: number;
	nVocab: number;
	/** The Jinja chat template from the GGUF, or null (then a plain-text fallback is used). */
	chatTemplate: string | null;
	architecture: string | null;
	loadMs: number;
}

export interface SamplingSettings {
	temperature: number;
	topP: number;
	topK: number;
	minP: number;
	repeatPenalty: number;
	maxTokens: number;
	/** null = random each time. */
	seed: number | null;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
	temperature: 0.7,
	topP: 0.95,
	topK: 40,
	minP: 0.05,
	repeatPenalty: 1.1,
	maxTokens: 512,
	seed: null
};

export interface ChatTurn {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

export interface GenerationStats {
	promptTokens: number;
	completionTokens: number;
	/** Prompt tokens llama.cpp found in its cache (not re-evaluated). */
	cachedTokens: number;
	prefillTokensPerSecond: number | null;
	decodeTokensPerSecond: number | null;
	timeToFirstTokenMs: number | null;
	totalMs: number;
	finishReason: 'stop' | 'length' | 'aborted';
}

/** What a streamed generation yields. */
export type GenerationEvent =
	{ type: 'token'; text: string } | { type: 'done'; stats: GenerationStats };

export interface GenerateOptions {
	sampling: SamplingSettings;
	signal?: AbortSignal;
}
