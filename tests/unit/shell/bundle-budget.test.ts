import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
	checkBudget,
	eagerScripts,
	firstLoadScripts,
	startPageNode
} from '../../../scripts/check-bundle-budget.mjs';

let dir: string;

function write(path: string, content: string | Buffer) {
	mkdirSync(dirname(join(dir, path)), { recursive: true });
	writeFileSync(join(dir, path), content);
}

/** Random text that gzip cannot shrink much (base64: ~75%), so sizes are meaningful. */
function noise(bytes: number): string {
	return `/*${randomBytes(bytes).toString('base64').slice(0, bytes)}*/`;
}

/** A build laid out like SvelteKit's: index.html, start/app entries, nodes, chunks. */
function makeBuild(sizes: {
	shared: number;
	startPage: number;
	lazyPage: number;
	lazyChunk: number;
}) {
	dir = mkdtempSync(join(tmpdir(), 'citrate-budget-'));
	write(
		'index.html',
		`<!doctype html><html><head>
<link href="/_app/immutable/entry/start.A.js" rel="modulepreload">
<link href="/_app/immutable/nodes/0.L.js" rel="modulepreload">
<script src="/theme-init.js"></script>
</head><body><script>Promise.all([import("/_app/immutable/entry/start.A.js"),import("/_app/immutable/entry/app.B.js")])</script></body></html>`
	);
	write('theme-init.js', 'void 0;');
	write('_app/immutable/entry/start.A.js', `import{a as b}from"../chunks/shared.js";export{b};`);
	write(
		'_app/immutable/entry/app.B.js',
		`import"../chunks/shared.js";const j=[()=>T(()=>import(\`../nodes/0.L.js\`)),()=>T(()=>import(\`../nodes/1.E.js\`)),()=>T(()=>import(\`../nodes/2.P.js\`)),()=>T(()=>import(\`../nodes/3.Q.js\`))];const d={"/":[2],"/models":[3]};`
	);
	write('_app/immutable/nodes/0.L.js', `import"../chunks/shared.js";`);
	write('_app/immutable/nodes/1.E.js', `void 0;`);
	write('_app/immutable/nodes/2.P.js', `import"../chunks/page.js";${noise(sizes.startPage)}`);
	write(
		'_app/immutable/nodes/3.Q.js',
		`import"../chunks/shared.js";const l=()=>import("../chunks/lazy.js");${noise(sizes.lazyPage)}`
	);
	write('_app/immutable/chunks/shared.js', `export const a=1;${noise(sizes.shared)}`);
	write('_app/immutable/chunks/page.js', `export const p=1;`);
	write('_app/immutable/chunks/lazy.js', `export const z=1;${noise(sizes.lazyChunk)}`);
}

afterEach(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bundle budget', () => {
	it('reads the eager scripts of index.html', () => {
		expect(
			eagerScripts(
				'<link href="/_app/a.js" rel="modulepreload"><script src="./b.js"></script><script>import("/_app/c.js")</script><link href="/x.css" rel="stylesheet">'
			)
		).toEqual(['_app/a.js', 'b.js', '_app/c.js']);
	});

	it('finds the start page node, also when marked as having a server load', () => {
		const app =
			'j=[()=>import(`../nodes/0.a.js`),()=>import(`../nodes/1.b.js`),()=>import(`../nodes/2.c.js`)];d={"/":[-3]}';
		expect(startPageNode(app, '_app/immutable/entry/app.x.js')).toBe('_app/immutable/nodes/2.c.js');
		expect(() => startPageNode('nothing here', 'app.js')).toThrow(/start page/);
	});

	it('counts eager scripts, the start page and their static imports, not lazy chunks', () => {
		makeBuild({ shared: 1000, startPage: 1000, lazyPage: 50_000, lazyChunk: 50_000 });
		const files = firstLoadScripts(dir)
			.map((f) => f.file)
			.sort();
		expect(files).toEqual([
			'_app/immutable/chunks/page.js',
			'_app/immutable/chunks/shared.js',
			'_app/immutable/entry/app.B.js',
			'_app/immutable/entry/start.A.js',
			'_app/immutable/nodes/0.L.js',
			'_app/immutable/nodes/2.P.js',
			'theme-init.js'
		]);
		const { total } = checkBudget(dir);
		const expected = files.reduce(
			(sum, file) => sum + gzipSync(readFileSync(join(dir, file))).length,
			0
		);
		expect(total).toBe(expected);
	});

	it('fails when the first load is over budget and passes when only lazy code is big', () => {
		makeBuild({ shared: 500_000, startPage: 10, lazyPage: 10, lazyChunk: 10 });
		const over = checkBudget(dir);
		expect(over.ok).toBe(false);
		expect(over.total).toBeGreaterThan(200 * 1024);
		rmSync(dir, { recursive: true, force: true });

		makeBuild({ shared: 10, startPage: 10, lazyPage: 500_000, lazyChunk: 500_000 });
		const lazy = checkBudget(dir);
		expect(lazy.ok).toBe(true);
		expect(lazy.total).toBeLessThan(10 * 1024);
	});

	it('counts the start page itself', () => {
		makeBuild({ shared: 10, startPage: 500_000, lazyPage: 10, lazyChunk: 10 });
		expect(checkBudget(dir).ok).toBe(false);
	});
});
