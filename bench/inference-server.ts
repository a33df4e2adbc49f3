/** The bench's Vite server: the bench page and its modules (cross-origin isolated), plus the models. */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Plugin, type ViteDevServer } from 'vite';

export interface ServedModel {
	name: string;
	path: string;
}

export function modelServer(models: readonly ServedModel[]): Plugin {
	return {
		name: 'bench-models',
		configureServer(server) {
			server.middlewares.use((req, res, next) => {
				const match = /^\/__bench\/models\/([^/?]+)$/.exec(req.url ?? '');
				const model = match && models.find((m) => m.name === decodeURIComponent(match[1]!));
				if (!model) return next();
				res.setHeader('content-type', 'application/octet-stream');
				res.setHeader('content-length', String(statSync(model.path).size));
				if (req.method === 'HEAD') return res.end();
				createReadStream(model.path).pipe(res);
			});
		}
	};
}

export async function startBenchServer(
	root: string,
	models: readonly ServedModel[]
): Promise<{ server: ViteDevServer; url: string }> {
	const server = await createServer({
		configFile: false,
		root,
		logLevel: 'warn',
		plugins: [modelServer(models)],
		server: {
			port: 0,
			host: '127.0.0.1',
			// Others edit the tree while this runs: no reloads in the middle of a measurement.
			hmr: false,
			ws: false,
			watch: null,
			headers: {
				'Cross-Origin-Opener-Policy': 'same-origin',
				'Cross-Origin-Embedder-Policy': 'require-corp'
			}
		},
		optimizeDeps: { noDiscovery: true, include: [], exclude: ['@wllama/wllama'] }
	});
	await server.listen();
	return { server, url: server.resolvedUrls?.local[0] ?? '' };
}
