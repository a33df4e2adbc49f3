/**
 * The p2p bench's page server, run inside the bench's network namespace (bench/p2p.ts starts it):
 * a plain Vite server for bench/p2p.html and its modules (the app's own code included), and the
 * model file at `/__bench/models/<name>`. Prints `bench server <url>` once it listens.
 *
 *   tsx bench/p2p-serve.ts --model /path/to/model.gguf
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';
import { modelServer } from './inference-server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { model: { type: 'string' } } });
if (!values.model) {
	console.error('--model is required');
	process.exit(2);
}

const server = await createServer({
	configFile: false,
	root: ROOT,
	logLevel: 'warn',
	// Its own cache: the app's dev server and the tests keep theirs.
	cacheDir: 'node_modules/.vite-bench-p2p',
	plugins: [modelServer([{ name: basename(values.model), path: values.model }])],
	resolve: {
		alias: {
			'$env/static/public': fileURLToPath(new URL('./p2p-env.ts', import.meta.url)),
			$lib: fileURLToPath(new URL('../src/lib', import.meta.url))
		}
	},
	worker: { format: 'es' },
	server: {
		port: 0,
		host: '127.0.0.1',
		// Others edit the tree while this runs: no reloads in the middle of a measurement.
		hmr: false,
		ws: false,
		watch: null,
		headers: {
			'Cross-Origin-Opener-Policy': 'same-origin',
			'Cross-Origin-Embedder-Policy': 'credentialless'
		}
	},
	// Every dependency found up front (the Helia worker's too), so no reload in the middle of a run.
	optimizeDeps: {
		entries: ['bench/p2p.html', 'src/lib/ipfs/worker.ts'],
		exclude: ['@wllama/wllama']
	}
});
await server.listen();
console.log(`bench server ${server.resolvedUrls?.local[0] ?? ''}`);
