/**
 * Runs the Hub emulator until interrupted:
 *   npx tsx tests/hub-emulator/cli.ts --port 8787 --cdn-port 8788 [--repos DIR] [--host 127.0.0.1]
 */
import { parseArgs } from 'node:util';
import { startHubEmulator } from './server';
import { watchEventLoop } from './stall-watchdog';
import { USERS } from './users';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '8787' },
		'cdn-port': { type: 'string', default: '8788' },
		repos: { type: 'string' },
		host: { type: 'string', default: '127.0.0.1' }
	}
});

const hub = await startHubEmulator({
	port: Number(values.port),
	cdnPort: Number(values['cdn-port']),
	reposDir: values.repos,
	host: values.host
});

console.log(`Hub emulator listening on ${hub.hubUrl} (CDN ${hub.cdnUrl})`);
console.log(`  OIDC discovery: ${hub.hubUrl}/.well-known/openid-configuration`);
console.log(`  Models:         ${hub.hubUrl}/api/models?filter=gguf`);
console.log(`  Control API:    ${hub.hubUrl}/__emulator/…`);
for (const u of USERS) {
	console.log(`  User ${u.name} / ${u.password}  (token ${u.pats[0]?.token})`);
}

// A request that never gets an answer says where the emulator was stuck.
watchEventLoop({ stallMs: 10_000, label: '[hub-emulator]' });

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		if (closing) return;
		closing = true;
		void hub.close().then(() => process.exit(0));
	});
}
