// Fails the build when the first-load JavaScript exceeds the budget (200 KB gzip).
//
// First-load JS = what a visit to the start page (`/`) must run before it renders: the scripts
// index.html loads eagerly (modulepreload links, <script src>, the bootstrap's import() calls),
// the start page's route node, and everything those import statically, transitively. Lazily
// loaded chunks (other routes, dynamic imports) and wasm are not counted.
//
//   node scripts/check-bundle-budget.mjs [buildDir]   (default: $CITRATE_OUT or build)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 200 * 1024;

const STATIC_IMPORT =
	/(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g;

/**
 * The URL paths (relative to the build folder, posix) of the JS files index.html loads eagerly.
 * @param {string} html
 * @returns {string[]}
 */
export function eagerScripts(html) {
	const urls = [];
	for (const match of html.matchAll(/<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+\.js)"/g))
		urls.push(match[1]);
	for (const match of html.matchAll(/import\(\s*["'`]([^"'`]+\.js)["'`]\s*\)/g))
		urls.push(match[1]);
	return urls.map((url) => url.replace(/^\.?\//, ''));
}

/**
 * The route node SvelteKit renders for `/`, as a path relative to the build folder, read from the
 * app entry's `nodes` list and route dictionary. Null when the start page has no node of its own.
 * @param {string} appSource the built `_app/immutable/entry/app.*.js`
 * @param {string} appPath its path relative to the build folder (posix)
 * @returns {string | null}
 */
export function startPageNode(appSource, appPath) {
	const nodes = [
		...appSource.matchAll(/import\(\s*[`"']([^`"']*\/nodes\/\d+\.[^`"']*\.js)[`"']\s*\)/g)
	].map((match) => match[1]);
	const entry = /["']\/["']:\s*\[\s*(-?\d+)/.exec(appSource);
	if (!entry || nodes.length === 0)
		throw new Error('could not find the start page in the app entry (SvelteKit output changed?)');
	const raw = Number(entry[1]);
	const index = raw < 0 ? ~raw : raw; // SvelteKit marks nodes with a server load as ~index
	const node = nodes.find((path) => new RegExp(`/nodes/${index}\\.`).test(path));
	if (!node) throw new Error(`the start page's node ${index} is not in the app entry`);
	return posix.normalize(posix.join(posix.dirname(appPath), node));
}

/**
 * Every first-load JS file (paths relative to buildDir) and its gzip size.
 * @param {string} buildDir
 * @returns {{ file: string, gzipBytes: number }[]}
 */
export function firstLoadScripts(buildDir) {
	const root = resolve(buildDir);
	const html = readFileSync(join(root, 'index.html'), 'utf8');
	const queue = eagerScripts(html);
	const app = queue.find((path) => /\/entry\/app\.[^/]+\.js$/.test(path));
	if (app) {
		const node = startPageNode(readFileSync(join(root, app), 'utf8'), app);
		if (node) queue.push(node);
	}
	/** @type {Map<string, number>} */
	const seen = new Map();
	while (queue.length > 0) {
		const path = /** @type {string} */ (queue.shift());
		if (seen.has(path)) continue;
		const absolute = join(root, path);
		if (!existsSync(absolute)) throw new Error(`first-load script ${path} is missing`);
		const source = readFileSync(absolute);
		seen.set(path, gzipSync(source).length);
		for (const match of source.toString('utf8').matchAll(STATIC_IMPORT)) {
			const specifier = match[1];
			const target = specifier.startsWith('/')
				? specifier.slice(1)
				: relative(root, join(dirname(absolute), specifier))
						.split('\\')
						.join('/');
			queue.push(target);
		}
	}
	return [...seen].map(([file, gzipBytes]) => ({ file, gzipBytes }));
}

/**
 * @param {string} buildDir
 * @param {number} [budget]
 */
export function checkBudget(buildDir, budget = BUDGET_BYTES) {
	const files = firstLoadScripts(buildDir);
	const total = files.reduce((sum, file) => sum + file.gzipBytes, 0);
	return { ok: total <= budget, total, budget, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const buildDir = process.argv[2] ?? (process.env.CITRATE_OUT || 'build');
	const { ok, total, budget, files } = checkBudget(buildDir);
	const kb = (/** @type {number} */ bytes) => (bytes / 1024).toFixed(1);
	if (!ok) {
		console.error(
			`bundle budget: first-load JS is ${kb(total)} KB gzip over ${files.length} files; the budget is ${kb(budget)} KB.`
		);
		for (const file of files.sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 10))
			console.error(`  ${kb(file.gzipBytes).padStart(7)} KB  ${file.file}`);
		process.exit(1);
	}
	console.log(
		`bundle budget: first-load JS ${kb(total)} KB gzip (${files.length} files) within ${kb(budget)} KB.`
	);
}
