#!/usr/bin/env node
// A small static server for a built Citrate folder: SPA fallback to index.html, correct MIME types
// (wasm, webmanifest), cross-origin isolation headers, anti-framing headers, sane caching, optional
// gzip. No dependencies.
//
//   node scripts/serve.mjs [--dir build] [--port 4173] [--host localhost] [--build] [--no-isolation] [--gzip]
//
// --build runs `vite build` first with the current environment, into --dir (through CITRATE_OUT),
// with SvelteKit's work folder in .svelte-kit-build/<dir> (CITRATE_KIT_DIR).
// --no-isolation leaves out COOP/COEP (to test that the service worker adds them itself).
// --port 0 picks a free port; the address is printed as "serving <dir> at <url>".
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

/** @type {Record<string, string>} */
export const MIME_TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.webmanifest': 'application/manifest+json; charset=utf-8',
	'.wasm': 'application/wasm',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.webp': 'image/webp',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8',
	'.woff2': 'font/woff2',
	'.gguf': 'application/octet-stream'
};

export const ISOLATION_HEADERS = {
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'credentialless',
	'Cross-Origin-Resource-Policy': 'same-origin'
};

/**
 * No other site may frame the app (clickjacking its sign-in, token and delete controls). A <meta>
 * CSP cannot carry `frame-ancestors`, so a host must send these; X-Frame-Options for old browsers.
 */
export const FRAME_HEADERS = {
	'Content-Security-Policy': "frame-ancestors 'none'",
	'X-Frame-Options': 'DENY'
};

const COMPRESSIBLE = new Set([
	'.html',
	'.js',
	'.mjs',
	'.css',
	'.json',
	'.webmanifest',
	'.svg',
	'.wasm',
	'.txt',
	'.map'
]);

/**
 * @typedef {{ dir: string, port: number, host: string, build: boolean, isolation: boolean, gzip: boolean }} ServeOptions
 */

/**
 * Parses `--name value` / `--flag` arguments.
 * @param {string[]} argv
 * @returns {ServeOptions}
 */
export function parseArgs(argv) {
	const options = {
		dir: 'build',
		port: 4173,
		host: 'localhost',
		build: false,
		isolation: true,
		gzip: false
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const next = () => {
			const value = argv[++i];
			if (value === undefined) throw new Error(`${arg} needs a value`);
			return value;
		};
		if (arg === '--dir') options.dir = next();
		else if (arg === '--port') options.port = Number(next());
		else if (arg === '--host') options.host = next();
		else if (arg === '--build') options.build = true;
		else if (arg === '--no-isolation') options.isolation = false;
		else if (arg === '--gzip') options.gzip = true;
		else throw new Error(`unknown argument ${arg}`);
	}
	if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
		throw new Error(`--port must be 0–65535`);
	return options;
}

/**
 * Cache policy: hashed files forever, the service worker and HTML always revalidated.
 * @param {string} pathname
 */
export function cacheControl(pathname) {
	if (pathname.includes('/_app/immutable/')) return 'public, max-age=31536000, immutable';
	if (pathname.endsWith('.html') || pathname === '/service-worker.js') return 'no-cache';
	return 'public, max-age=0, must-revalidate';
}

/**
 * The file to send for a URL path: the file itself, `<path>/index.html`, or the SPA fallback.
 * @param {string} root absolute folder
 * @param {string} pathname URL path
 * @param {boolean} [navigation] the request is a page navigation (Accept: text/html)
 * @returns {{ path: string, fallback: boolean } | null}
 */
export function resolveFile(root, pathname, navigation = false) {
	let decoded;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		return null;
	}
	if (decoded.includes('\0')) return null;
	const candidate = normalize(join(root, decoded));
	if (candidate !== root && !candidate.startsWith(root + sep)) return null;
	const isFile = (/** @type {string} */ path) => existsSync(path) && statSync(path).isFile();
	if (isFile(candidate)) return { path: candidate, fallback: false };
	if (isFile(join(candidate, 'index.html')))
		return { path: join(candidate, 'index.html'), fallback: false };
	// A missing asset (a known file type, or anything under _app) is a real 404, not the app shell;
	// a page navigation always gets the shell (model ids such as Qwen2.5-7B contain dots).
	if (!navigation && (decoded.startsWith('/_app/') || extname(decoded).toLowerCase() in MIME_TYPES))
		return null;
	return { path: join(root, 'index.html'), fallback: true };
}

/**
 * `frameProtection: false` leaves out FRAME_HEADERS (only for tests of the app's own frame guard).
 * @param {{ dir: string, isolation?: boolean, gzip?: boolean, frameProtection?: boolean }} options
 */
export function createStaticServer({
	dir,
	isolation = true,
	gzip = false,
	frameProtection = true
}) {
	const root = resolve(dir);
	return createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		/** @type {Record<string, string>} */
		const common = {
			...(isolation ? ISOLATION_HEADERS : {}),
			...(frameProtection ? FRAME_HEADERS : {})
		};
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			response.writeHead(405, { ...common, Allow: 'GET, HEAD' }).end();
			return;
		}
		const navigation = String(request.headers.accept ?? '').includes('text/html');
		const found = resolveFile(root, url.pathname, navigation);
		if (!found) {
			response
				.writeHead(404, {
					...common,
					'Content-Type': 'text/plain; charset=utf-8',
					'Cache-Control': 'no-cache'
				})
				.end('Not found\n');
			return;
		}
		const ext = extname(found.path);
		const size = statSync(found.path).size;
		/** @type {Record<string, string>} */
		const headers = {
			...common,
			'Content-Type': MIME_TYPES[ext] ?? 'application/octet-stream',
			'Cache-Control': found.fallback ? 'no-cache' : cacheControl(url.pathname),
			'X-Content-Type-Options': 'nosniff',
			Vary: 'Accept-Encoding'
		};
		if (url.pathname === '/service-worker.js') headers['Service-Worker-Allowed'] = '/';
		const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
		if (gzip && acceptsGzip && COMPRESSIBLE.has(ext) && size > 1024) {
			response.writeHead(200, { ...headers, 'Content-Encoding': 'gzip' });
			if (request.method === 'HEAD') return void response.end();
			pipeline(createReadStream(found.path), createGzip(), response, () => {});
			return;
		}
		response.writeHead(200, { ...headers, 'Content-Length': String(size) });
		if (request.method === 'HEAD') return void response.end();
		pipeline(createReadStream(found.path), response, () => {});
	});
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.build) {
		// Its own SvelteKit work folder too, so builds running at the same time cannot mix.
		const kitDir =
			process.env.CITRATE_KIT_DIR || join('.svelte-kit-build', basename(resolve(options.dir)));
		const result = spawnSync('npx', ['vite', 'build'], {
			stdio: 'inherit',
			env: { ...process.env, CITRATE_OUT: options.dir, CITRATE_KIT_DIR: kitDir }
		});
		if (result.status !== 0) process.exit(result.status ?? 1);
	}
	if (!existsSync(join(options.dir, 'index.html'))) {
		console.error(
			`serve: ${options.dir}/index.html not found; build first (npm run build, or --build).`
		);
		process.exit(1);
	}
	const server = createStaticServer(options);
	server.listen(options.port, options.host, () => {
		const address = server.address();
		const port = typeof address === 'object' && address ? address.port : options.port;
		console.log(`serving ${options.dir} at http://${options.host}:${port}/`);
	});
	const stop = () => server.close(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((error) => {
		console.error(`serve: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	});
}
