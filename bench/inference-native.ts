/**
 * The native anchor of `npm run bench:inference`: the same GGUF, prompt, thread count and greedy
 * sampling through llama.cpp's own CPU build, from `node-llama-cpp`'s prebuilt binary. The bench
 * installs it on first use into a cache folder outside the project's dependencies, from the npm
 * registry, with only this platform's CPU binary (a plain install pulls every platform's: 725 MB).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunResult } from './inference-page';

export const NODE_LLAMA_CPP_VERSION = '3.22.1';

export interface NativeRunOptions {
	path: string;
	threads: number;
	prompt: string;
	maxTokens: number;
	contextSize: number;
	/** The KV cache type the app loads this model with (`fitTuningToModel`): the same on both sides. */
	kvCacheType?: 'f16' | 'q8_0';
}

export interface NativeEngine {
	/** What ran: package, version, binary. */
	describe: string;
	run(options: NativeRunOptions): Promise<RunResult>;
	close(): Promise<void>;
}

function cacheDir(): string {
	const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
	return join(
		process.env.CITRATE_BENCH_NATIVE_DIR ?? join(base, 'citrate-bench'),
		`node-llama-cpp-${NODE_LLAMA_CPP_VERSION}`
	);
}

/** The platform package with the prebuilt CPU binary, or null where none exists. */
function platformPackage(): string | null {
	const key = `${process.platform}-${process.arch}`;
	const known = ['linux-x64', 'linux-arm64', 'mac-arm64-metal', 'mac-x64', 'win-x64', 'win-arm64'];
	const name = process.platform === 'darwin' ? `mac-${process.arch}` : key.replace('win32', 'win');
	const match = known.find((k) => k === name || k.startsWith(`${name}-`));
	return match ? `@node-llama-cpp/${match}` : null;
}

/** Installs node-llama-cpp (once) into the cache folder; returns its entry point. */
export function ensureNativeInstalled(log: (line: string) => void = console.log): string {
	const dir = cacheDir();
	const entry = join(dir, 'node_modules/node-llama-cpp/dist/index.js');
	if (existsSync(entry)) return entry;
	const platform = platformPackage();
	if (!platform)
		throw new Error(
			`node-llama-cpp has no prebuilt binary for ${process.platform}-${process.arch}`
		);
	log(
		`installing node-llama-cpp ${NODE_LLAMA_CPP_VERSION} + ${platform} (CPU) from the npm registry into ${dir} (once; not a project dependency)…`
	);
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), '{ "name": "citrate-bench-native", "private": true }\n');
	execFileSync(
		'npm',
		[
			'install',
			'--no-save',
			'--no-audit',
			'--no-fund',
			'--omit=optional',
			'--ignore-scripts',
			`node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
			`${platform}@${NODE_LLAMA_CPP_VERSION}`
		],
		{ cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] }
	);
	if (!existsSync(entry)) throw new Error(`node-llama-cpp did not install into ${dir}`);
	return entry;
}

/* A narrow view of node-llama-cpp 3's API: all this bench calls. */
interface Llama {
	loadModel(o: { modelPath: string; gpuLayers: number }): Promise<LlamaModel>;
	dispose(): Promise<void>;
	readonly buildType: string;
	readonly gpu: string | false;
}
interface LlamaModel {
	tokenize(text: string, specialTokens?: boolean): number[];
	readonly tokens: { bos: number | null; shouldPrependBosToken: boolean };
	createContext(o: {
		contextSize: number;
		threads: number;
		sequences: number;
		batchSize?: number;
		flashAttention?: 'auto' | boolean;
		experimentalKvCacheKeyType?: 'F16' | 'Q8_0';
		experimentalKvCacheValueType?: 'F16' | 'Q8_0';
		batching?: { dispatchSchedule?: (dispatch: () => void) => void };
	}): Promise<LlamaContext>;
	dispose(): Promise<void>;
}
interface LlamaContext {
	getSequence(): {
		evaluate(tokens: number[], o: { temperature: number }): AsyncGenerator<number, void, void>;
	};
	dispose(): Promise<void>;
}

export async function openNative(log: (line: string) => void = console.log): Promise<NativeEngine> {
	const entry = ensureNativeInstalled(log);
	const mod = (await import(pathToFileURL(entry).href)) as {
		getLlama(o: object): Promise<Llama>;
		LlamaLogLevel: Record<string, unknown>;
	};
	const llama = await mod.getLlama({
		gpu: false,
		build: 'never',
		usePrebuiltBinaries: true,
		skipDownload: true,
		progressLogs: false,
		logLevel: mod.LlamaLogLevel.error
	});
	const loaded = new Map<string, LlamaModel>();
	return {
		describe: `node-llama-cpp ${NODE_LLAMA_CPP_VERSION} (${llama.buildType} binary, CPU)`,
		async run(options) {
			const started = performance.now();
			let model = loaded.get(options.path);
			if (!model) {
				model = await llama.loadModel({ modelPath: options.path, gpuLayers: 0 });
				loaded.set(options.path, model);
			}
			const kv = options.kvCacheType === 'q8_0' ? 'Q8_0' : 'F16';
			const context = await model.createContext({
				contextSize: options.contextSize,
				threads: options.threads,
				sequences: 1,
				flashAttention: 'auto',
				experimentalKvCacheKeyType: kv,
				experimentalKvCacheValueType: kv,
				// Each token is decoded as soon as it is asked for (the default waits for the next
				// event-loop cycle, a wait per token that the wasm engines do not have).
				batching: { dispatchSchedule: (dispatch) => dispatch() }
			});
			const loadMs = performance.now() - started;
			try {
				const text = model.tokenize(options.prompt);
				const bos = model.tokens.bos;
				const tokens = model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...text] : text;
				const t0 = performance.now();
				let first = NaN;
				let last = NaN;
				let n = 0;
				for await (const token of context.getSequence().evaluate(tokens, { temperature: 0 })) {
					void token;
					last = performance.now();
					if (n === 0) first = last;
					if (++n >= options.maxTokens) break;
				}
				const ttftMs = first - t0;
				return {
					loadMs,
					ttftMs,
					promptTokens: tokens.length,
					completionTokens: n,
					// The first token's time is the prompt's evaluation plus one sampling step.
					prefillTokensPerSecond: tokens.length / (ttftMs / 1000),
					decodeTokensPerSecond: n > 1 ? (n - 1) / ((last - first) / 1000) : NaN,
					multiThread: options.threads > 1
				};
			} finally {
				await context.dispose();
			}
		},
		async close() {
			for (const model of loaded.values()) await model.dispose();
			await llama.dispose();
		}
	};
}
