#!/usr/bin/env node
// Try Citrate end to end with no Hub account and no network: starts the Hub emulator (with its
// default repositories), builds the app wired to it, and serves the build.
//
//   npm run demo [-- --port 4173 --hub-port 8787 --cdn-port 8788 --ipfs-port 8789 --out build-demo --no-build]
// It also starts a local IPFS trustless gateway holding one generated model, to try "Add by CID".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '4173' },
		'hub-port': { type: 'string', default: '8787' },
		'cdn-port': { type: 'string', default: '8788' },
		'ipfs-port': { type: 'string', default: '8789' },
		out: { type: 'string', default: 'build-demo' },
		'no-build': { type: 'boolean', default: false }
	}
});

const hubUrl = `http://127.0.0.1:${values['hub-port']}`;
const gatewayUrl = `http://127.0.0.1:${values['ipfs-port']}`;
const cdnUrl = `http://127.0.0.1:${values['cdn-port']}`;
const appUrl = `http://localhost:${values.port}`;
const out = values.out;
/** @type {import('node:child_process').ChildProcess[]} */
const children = [];

function stopAll(code = 0) {
	for (const child of children) {
		if (child.exitCode === null && child.pid) child.kill('SIGTERM');
	}
	process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/**
 * Starts a long-running child and resolves once a line of its output matches `ready`.
 * @param {string} name
 * @param {string[]} args
 * @param {RegExp} ready
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<string>}
 */
function startChild(name, args, ready, env = process.env) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(args[0], args.slice(1), {
			cwd: root,
			env,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		children.push(child);
		let seen = '';
		const onData = (/** @type {Buffer} */ chunk) => {
			const text = chunk.toString();
			for (const line of text.split('\n')) if (line.trim()) console.log(`[${name}] ${line}`);
			seen += text;
			const m = ready.exec(seen);
			if (m) resolvePromise(m[0]);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('exit', (code) => {
			reject(new Error(`${name} exited with code ${code}`));
			stopAll(1);
		});
	});
}

console.log('Starting the Hub emulator (the first start builds its repositories: a few seconds)…');
await startChild(
	'hub',
	[
		process.execPath,
		join(root, 'node_modules/tsx/dist/cli.mjs'),
		'tests/hub-emulator/cli.ts',
		'--port',
		values['hub-port'],
		'--cdn-port',
		values['cdn-port']
	],
	/Hub emulator listening on \S+/
);

console.log('Starting a local IPFS trustless gateway…');
await startChild(
	'ipfs',
	[
		process.execPath,
		join(root, 'node_modules/tsx/dist/cli.mjs'),
		'tests/ipfs-gateway/cli.ts',
		'--port',
		values['ipfs-port']
	],
	/IPFS trustless gateway on \S+/
);
const seeded = spawnSync(
	process.execPath,
	[join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/demo-seed-ipfs.ts', gatewayUrl],
	{ cwd: root, encoding: 'utf8' }
);
const seededCid = seeded.status === 0 ? seeded.stdout.trim() : '';
if (!seededCid) console.warn(`Could not seed the IPFS gateway: ${seeded.stderr}`);

const appEnv = {
	...process.env,
	CITRATE_OUT: out,
	PUBLIC_HF_HUB_URL: hubUrl,
	PUBLIC_HF_OAUTH_ISSUER: hubUrl,
	PUBLIC_HF_CLIENT_ID: 'citrate-dev',
	PUBLIC_HF_SCOPES: 'openid profile gated-repos read-repos',
	PUBLIC_IPFS_GATEWAYS: gatewayUrl,
	// The CSP lists exact origins: the emulator's CDN is where downloads are redirected.
	PUBLIC_HF_CDN_ORIGINS: cdnUrl
};

if (!values['no-build'] || !existsSync(join(root, out, 'index.html'))) {
	console.log(`Building the app into ${out}/ against ${hubUrl}…`);
	const build = spawnSync(
		process.execPath,
		[join(root, 'node_modules/vite/bin/vite.js'), 'build'],
		{
			cwd: root,
			env: appEnv,
			stdio: 'inherit'
		}
	);
	if (build.status !== 0) {
		console.error('The build failed.');
		stopAll(1);
	}
}

await startChild(
	'app',
	[process.execPath, 'scripts/serve.mjs', '--dir', out, '--port', values.port],
	/serving \S+ at \S+/,
	appEnv
);

console.log(`
Citrate demo is running (Ctrl+C stops everything).

  App:           ${appUrl}
  Hub emulator:  ${hubUrl}   (CDN http://127.0.0.1:${values['cdn-port']})
  IPFS gateway:  ${gatewayUrl}${seededCid ? `   (Library → Add a model by CID: ${seededCid})` : ''}

  Demo users (sign in with "Sign in with Hugging Face"):
    alice / alice-password   granted the gated repos; owns alice/private-llama-GGUF
    bob   / bob-password     no grants (gated repos answer 403)

  Try: Models → search "tiny-llama" → download Q8_0 → Chat.
       citrate-test/scripted-chat-GGUF always answers with a code block.
`);
