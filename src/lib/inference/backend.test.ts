import { describe, expect, test } from 'vitest';
import { MAX_THREADS, SMALL_MODEL_BYTES, planBackend } from './backend';
import { engineError } from './errors';
import { formatFallbackPrompt } from './prompt';
import type { EnvironmentProbe } from './types';

const MB = 1024 * 1024;
const cpu = (isolated: boolean, cores = 8): EnvironmentProbe => ({
	crossOriginIsolated: isolated,
	hardwareConcurrency: cores,
	gpu: null
});
const gpu = { maxBufferSize: 1024 * MB, maxStorageBufferBindingSize: 1024 * MB, shaderF16: true };

describe('planBackend', () => {
	test('WebGPU with all layers when an f16-capable adapter fits the model', () => {
		const plan = planBackend({ ...cpu(true), gpu }, 500 * MB);
		expect(plan).toMatchObject({ backend: 'webgpu', gpuLayers: 999 });
	});
	test('no WebGPU without shader-f16 or when the model is too big', () => {
		expect(
			planBackend({ ...cpu(true), gpu: { ...gpu, shaderF16: false } }, 500 * MB)
		).toMatchObject({ backend: 'wasm-multi', gpuLayers: 0 });
		const big = planBackend({ ...cpu(true), gpu }, 8000 * MB);
		expect(big.backend).toBe('wasm-multi');
		expect(big.reason).toMatch(/too large/);
	});
	test('threads by cores (capped) when isolated, 1 for tiny models, 1 when not isolated', () => {
		expect(planBackend(cpu(true, 2), 100 * MB)).toMatchObject({
			backend: 'wasm-multi',
			threads: 2
		});
		expect(planBackend(cpu(true, 64), 100 * MB).threads).toBe(MAX_THREADS);
		expect(planBackend(cpu(true, 8), SMALL_MODEL_BYTES - 1)).toMatchObject({
			backend: 'wasm-single',
			threads: 1
		});
		const plain = planBackend(cpu(false, 8), 100 * MB);
		expect(plain).toMatchObject({ backend: 'wasm-single', threads: 1 });
		expect(plain.reason).toMatch(/not cross-origin isolated/);
	});
	test('preferences and forced threads', () => {
		expect(planBackend({ ...cpu(true), gpu }, 100 * MB, 'wasm-single').backend).toBe('wasm-single');
		expect(planBackend(cpu(true), 1 * MB, 'auto', 2)).toMatchObject({
			backend: 'wasm-multi',
			threads: 2
		});
	});
});

describe('engineError', () => {
	test('maps wllama failures to codes', () => {
		expect(engineError(new RangeError('Invalid typed array length: 12'), 'generate')).toMatchObject(
			{ code: 'ENGINE_FAILED', details: { reason: 'invalid-utf8' } }
		);
		expect(engineError(new Error('Cannot allocate WebAssembly.Memory'), 'load').code).toBe(
			'ENGINE_OOM'
		);
		expect(
			engineError(new Error('llama_model_load: error loading model: invalid magic'), 'load').code
		).toBe('GGUF_INVALID');
		expect(engineError(new Error('weird'), 'load').code).toBe('ENGINE_FAILED');
		expect(
			engineError(
				new Error(
					'request (373 tokens) exceeds the available context size (256 tokens), try increasing it'
				),
				'generate'
			)
		).toMatchObject({
			code: 'ENGINE_FAILED',
			details: { reason: 'context-exceeded', requestTokens: 373, contextSize: 256 }
		});
		expect(engineError(new DOMException('x', 'AbortError'), 'generate').code).toBe('ABORTED');
	});
});

test('fallback prompt is plain paragraphs', () => {
	expect(
		formatFallbackPrompt([
			{ role: 'system', content: ' ' },
			{ role: 'user', content: 'Once upon a time ' }
		])
	).toBe('Once upon a time');
	expect(
		formatFallbackPrompt([
			{ role: 'user', content: 'a' },
			{ role: 'assistant', content: 'b' },
			{ role: 'user', content: 'c' }
		])
	).toBe('a\n\nb\n\nc');
});
