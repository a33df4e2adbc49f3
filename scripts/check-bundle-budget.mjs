// Fails the build when the first-load JavaScript (what index.html pulls in eagerly) exceeds the budget.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 200 * 1024;
const buildDir = process.argv[2] ?? (process.env.CITRATE_OUT || 'build');
const html = readFileSync(join(buildDir, 'index.html'), 'utf8');

/** Every JS file the entry page loads before it can render: modulepreloads, scripts and their static imports. */
function firstLoadScripts() {
	const seen = new Set();
	const queue = [];
	for (const match of html.matchAll(/(?:href|src)="([^"]+\.js)"/g)) queue.push(match[1]);
	for (const match of html.matchAll(/import\("([^"]+\.js)"\)/g)) queue.push(match[1]);
	while (queue.length > 0) {
		const url = /** @type {string} */ (queue.shift());
		const file = join(buildDir, url.replace(/^\.?\//, ''));
		if (seen.has(file)) continue;
		seen.add(file);
		const source = readFileSync(file, 'utf8');
		for (const match of source.matchAll(
			/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g
		)) {
			queue.push(join(file, '..', match[1]).slice(buildDir.length + 1));
		}
	}
	return [...seen];
}

const files = firstLoadScripts();
let total = 0;
for (const file of files) total += gzipSync(readFileSync(file)).length;
const kb = (total / 1024).toFixed(1);
if (total > BUDGET_BYTES) {
	console.error(
		`bundle budget: first-load JS is ${kb} KB gzip over ${files.length} files; the budget is ${BUDGET_BYTES / 1024} KB.`
	);
	process.exit(1);
}
console.log(
	`bundle budget: first-load JS ${kb} KB gzip (${files.length} files) within ${BUDGET_BYTES / 1024} KB.`
);
