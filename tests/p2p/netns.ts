/**
 * A private network namespace for the peer-to-peer end-to-end tests. WebRTC needs an interface
 * other than loopback and a default route (Chromium offers no 127.0.0.1 candidate), so the test
 * makes one: `unshare -n` (as root), `lo` up, a veth pair 192.0.2.10/24 ↔ 192.0.2.11/24 (the
 * documentation range), default route via the peer end. Both ends live in the namespace: nothing
 * leaves it. Servers and browsers are started inside with `nsenter`; Playwright drives the
 * browsers over their debugging pipe, which needs no network.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NETNS_RELAY_HOST = '192.0.2.10';

export interface Netns {
	pid: number;
	/** Starts a command inside the namespace; resolves once `ready` matches its output. */
	start(command: string, args: string[], ready: RegExp, env?: NodeJS.ProcessEnv): Promise<Server>;
	/** An executable that runs `binary` inside the namespace (for Playwright's executablePath). */
	wrap(binary: string): Promise<string>;
	close(): Promise<void>;
}

export interface Server {
	process: ChildProcess;
	output: () => string;
	stop(): Promise<void>;
}

/** Why the namespace cannot be made here, or null when it can. */
export function netnsUnavailable(): string | null {
	if (process.platform !== 'linux') return 'network namespaces need Linux';
	if (process.getuid?.() !== 0) return 'making a network namespace needs root (CI runs as root)';
	for (const tool of ['unshare', 'nsenter', 'ip'])
		if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
	return null;
}

export async function createNetns(): Promise<Netns> {
	const holder = spawn('unshare', ['-n', '--', 'sleep', 'infinity'], { stdio: 'ignore' });
	const pid = holder.pid;
	if (pid === undefined) throw new Error('unshare did not start');
	const own = await readlink('/proc/self/ns/net');
	for (let tries = 0; ; tries++) {
		const ns = await readlink(`/proc/${pid}/ns/net`).catch(() => own);
		if (ns !== own) break;
		if (tries > 100) throw new Error('the network namespace did not appear');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	const setup = [
		'ip link set lo up',
		'ip link add v0 type veth peer name v1',
		`ip addr add ${NETNS_RELAY_HOST}/24 dev v0`,
		'ip addr add 192.0.2.11/24 dev v1',
		'ip link set v0 up',
		'ip link set v1 up',
		'ip route add default via 192.0.2.11 dev v0'
	].join(' && ');
	const result = spawnSync('nsenter', ['-t', String(pid), '-n', '--', 'sh', '-c', setup]);
	if (result.status !== 0) {
		holder.kill();
		throw new Error(`namespace setup failed: ${result.stderr.toString()}`);
	}
	const dir = await mkdtemp(join(tmpdir(), 'citrate-netns-'));
	const servers = new Set<Server>();
	return {
		pid,
		async start(command, args, ready, env) {
			const child = spawn('nsenter', ['-t', String(pid), '-n', '--', command, ...args], {
				env: { ...process.env, ...env },
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true
			});
			let text = '';
			const server: Server = {
				process: child,
				output: () => text,
				async stop() {
					servers.delete(server);
					if (child.exitCode !== null || child.signalCode !== null) return;
					const exited = new Promise((resolve) => child.once('exit', resolve));
					try {
						process.kill(-(child.pid as number), 'SIGTERM');
					} catch {
						// Already gone.
					}
					await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
					try {
						process.kill(-(child.pid as number), 'SIGKILL');
					} catch {
						// Already gone.
					}
				}
			};
			servers.add(server);
			await new Promise<void>((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`${command} ${args.join(' ')} did not start:\n${text}`)),
					120_000
				);
				const onData = (chunk: Buffer) => {
					text += chunk.toString();
					if (ready.test(text)) {
						clearTimeout(timer);
						resolve();
					}
				};
				child.stdout?.on('data', onData);
				child.stderr?.on('data', onData);
				child.once('exit', (code) => {
					clearTimeout(timer);
					reject(new Error(`${command} exited (${code}) before it was ready:\n${text}`));
				});
			});
			return server;
		},
		async wrap(binary) {
			const path = join(dir, `in-netns-${binary.split('/').pop()}`);
			await writeFile(path, `#!/bin/sh\nexec nsenter -t ${pid} -n -- "${binary}" "$@"\n`);
			await chmod(path, 0o755);
			return path;
		},
		async close() {
			for (const server of [...servers]) await server.stop();
			holder.kill('SIGKILL');
			await rm(dir, { recursive: true, force: true });
		}
	};
}
