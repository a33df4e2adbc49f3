/**
 * `npm run ipfs-node`: runs a Citrate node until interrupted.
 *
 *   npm run ipfs-node -- [--repo DIR] [--host 127.0.0.1] [--ws-port 4003] [--tcp-port 4001]
 *                        [--api-port 5003] [--api-token TOKEN]
 *                        [--announce /dns4/ipfs.example.org/tcp/443/wss] [--relay-no-limit]
 *
 * Every option can also come from the environment (CITRATE_NODE_REPO, _HOST, _WS_PORT,
 * _TCP_PORT, _API_PORT, _API_TOKEN, _ANNOUNCE comma-separated, _RELAY_NO_LIMIT=1). Without a
 * token, one is made on first start and kept in `<repo>/api-token`. See README → "Your own IPFS node".
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCitrateNode } from './node';

const env = process.env;
const { values } = parseArgs({
	options: {
		repo: { type: 'string', default: env.CITRATE_NODE_REPO ?? '.citrate-node' },
		host: { type: 'string', default: env.CITRATE_NODE_HOST ?? '127.0.0.1' },
		'ws-port': { type: 'string', default: env.CITRATE_NODE_WS_PORT ?? '4003' },
		'tcp-port': { type: 'string', default: env.CITRATE_NODE_TCP_PORT ?? '4001' },
		'api-port': { type: 'string', default: env.CITRATE_NODE_API_PORT ?? '5003' },
		'api-token': { type: 'string', default: env.CITRATE_NODE_API_TOKEN },
		announce: { type: 'string', multiple: true, default: splitList(env.CITRATE_NODE_ANNOUNCE) },
		'relay-no-limit': { type: 'boolean', default: env.CITRATE_NODE_RELAY_NO_LIMIT === '1' }
	}
});

function splitList(v: string | undefined): string[] {
	return (v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function port(name: string, v: string): number {
	const n = Number(v);
	if (!Number.isInteger(n) || n < 0 || n > 65535) {
		console.error(`--${name} must be a port number (0–65535), got "${v}"`);
		process.exit(2);
	}
	return n;
}

/** The API token: given, or the one kept in the repo, or a new random one saved there. */
async function apiToken(repo: string, given: string | undefined): Promise<string> {
	if (given !== undefined) {
		if (given.length < 16) {
			console.error('--api-token must be at least 16 characters');
			process.exit(2);
		}
		return given;
	}
	const file = join(repo, 'api-token');
	try {
		return (await readFile(file, 'utf8')).trim();
	} catch {
		const token = randomBytes(24).toString('base64url');
		await mkdir(repo, { recursive: true });
		await writeFile(file, token + '\n', { mode: 0o600 });
		return token;
	}
}

const token = await apiToken(values.repo, values['api-token']);
const node = await startCitrateNode({
	repo: values.repo,
	host: values.host,
	wsPort: port('ws-port', values['ws-port']),
	tcpPort: port('tcp-port', values['tcp-port']),
	announce: values.announce.length > 0 ? values.announce : undefined,
	relay: { applyDefaultLimit: !values['relay-no-limit'] },
	pinningApi: { port: port('api-port', values['api-port']), token }
});

console.log(`Citrate node ${node.peerId}`);
console.log(`  repo:  ${values.repo}`);
console.log(
	`  relay: circuit-relay-v2, ${values['relay-no-limit'] ? 'no data limit' : "libp2p's default limit (128 KiB, 2 min per relayed connection)"}`
);
for (const a of node.multiaddrs) console.log(`  listening on ${a}`);
console.log(`  Pinning Service API: ${node.pinningApiUrl}`);
console.log(
	`  access token: ${values['api-token'] !== undefined ? '(as given)' : `${token}  (kept in ${join(values.repo, 'api-token')})`}`
);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		if (closing) return;
		closing = true;
		void node.stop().then(() => process.exit(0));
	});
}
