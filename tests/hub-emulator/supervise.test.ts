/**
 * The e2e run's emulator supervisor (supervise.ts) and the emulator's stall watchdog
 * (stall-watchdog.ts): a stuck or dead emulator is reported and replaced on the same port, and a
 * blocked event loop says where it is stuck.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stacksOf } from './process-diagnosis';

const ROOT = new URL('../..', import.meta.url).pathname;

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

function run(args: string[]): { child: ChildProcess; output: () => string } {
	const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT });
	let output = '';
	child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
	return { child, output: () => output };
}

/** A supervisor on free ports that checks every 200 ms, with `options` besides. */
async function supervise(
	options: string[]
): Promise<{ port: number; supervisor: ReturnType<typeof run> }> {
	const port = await freePort();
	const cdnPort = await freePort();
	const supervisor = run([
		'tests/hub-emulator/supervise.ts',
		...['--port', String(port), '--cdn-port', String(cdnPort), '--check-every-ms', '200'],
		...options
	]);
	return { port, supervisor };
}

async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined>,
	ms: number,
	/** What to print beside a timeout, so a failure in CI says what the processes said. */
	context: () => string = () => ''
): Promise<T> {
	const until = Date.now() + ms;
	for (;;) {
		const value = await probe().catch(() => undefined);
		if (value !== undefined) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${context()}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

describe('the emulator supervisor', () => {
	let port: number;
	let supervisor: ReturnType<typeof run>;
	const health = async (): Promise<number | undefined> => {
		const response = await fetch(`http://127.0.0.1:${port}/__emulator/health`, {
			signal: AbortSignal.timeout(1000)
		});
		return ((await response.json()) as { pid: number }).pid;
	};
	/** The pid of the emulator that answers once `pid` no longer does. */
	const replacementOf = (pid: number) =>
		waitFor(
			'a fresh emulator',
			async () => {
				const now = await health();
				return now !== pid ? now : undefined;
			},
			60_000,
			supervisor.output
		);
	const stopped: number[] = [];
	/**
	 * The pid of an emulator that answers and that the supervisor has seen answer: before that it
	 * counts as still starting, and a hang is not measured from an answer it never saw.
	 */
	const seenAnswering = async (): Promise<number | undefined> => {
		const pid = await health();
		return supervisor.output().includes(`the emulator (pid ${pid}) answers`) ? pid : undefined;
	};
	// Each test starts from an emulator that answers, whatever the one before it left.
	const answering = () =>
		waitFor('an emulator that answers', seenAnswering, 60_000, supervisor.output);

	beforeAll(async () => {
		({ port, supervisor } = await supervise(['--restart-after-ms', '1500']));
		await waitFor('the first emulator', seenAnswering, 90_000, supervisor.output);
	}, 120_000);

	afterAll(() => {
		supervisor?.child.kill('SIGKILL');
		for (const pid of stopped) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	});

	test('an emulator that stops answering is reported with its state and replaced', async () => {
		const first = await answering();
		process.kill(first!, 'SIGSTOP');
		stopped.push(first!);
		const second = await replacementOf(first!);
		expect(second).not.toBe(first);
		expect(supervisor.output()).toMatch(
			new RegExp(`emulator \\(pid ${first}\\) has not answered for \\d+ s: state T \\(stopped\\)`)
		);
		expect(supervisor.output()).toContain('it was stopped by a signal: no stacks to read.');
		// The stuck one is gone, not left holding memory.
		await waitFor(
			'the stuck emulator to go',
			async () => {
				try {
					process.kill(first!, 0);
					return undefined;
				} catch {
					return true;
				}
			},
			10_000
		);
	}, 90_000);

	test('an emulator that dies is replaced', async () => {
		const before = await answering();
		process.kill(before!, 'SIGKILL');
		const after = await replacementOf(before!);
		expect(after).not.toBe(before);
		expect(supervisor.output()).toContain(`the emulator (pid ${before}) exited (SIGKILL)`);
	}, 90_000);

	test('stopping the supervisor stops the emulator and frees the port', async () => {
		const last = await answering();
		const exited = new Promise<number | null>((r) => supervisor.child.once('exit', r));
		supervisor.child.kill('SIGTERM');
		expect(await exited).toBe(0);
		await expect(health()).rejects.toThrow();
		expect(() => process.kill(last!, 0)).toThrow();
	}, 30_000);
});

test('an emulator stuck before it ever answers is reported and replaced after the start timeout', async () => {
	const { port, supervisor } = await supervise(['--start-timeout-ms', '3000']);
	const stopped: number[] = [];
	try {
		// The first child, stopped while it starts (loading tsx takes far longer than finding it).
		const first = await waitFor(
			'the first child',
			async () => {
				const out = execFileSync('pgrep', ['-P', String(supervisor.child.pid)], {
					encoding: 'utf8'
				});
				return Number(out.trim().split('\n')[0]) || undefined;
			},
			10_000
		);
		process.kill(first, 'SIGSTOP');
		stopped.push(first);
		const pid = await waitFor(
			'a fresh emulator',
			async () => {
				const response = await fetch(`http://127.0.0.1:${port}/__emulator/health`, {
					signal: AbortSignal.timeout(1000)
				});
				return ((await response.json()) as { pid: number }).pid;
			},
			90_000,
			supervisor.output
		);
		expect(pid).not.toBe(first);
		expect(supervisor.output()).toMatch(
			new RegExp(
				`emulator \\(pid ${first}\\) has not answered since it started, for \\d+ s: state T`
			)
		);
	} finally {
		for (const pid of stopped) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already killed by the supervisor
			}
		}
		// Stopped as the e2e run stops it: its emulator goes with it.
		const exited = new Promise((r) => supervisor.child.once('exit', r));
		supervisor.child.kill('SIGTERM');
		await exited;
	}
}, 120_000);

test('a blocked event loop is reported with the stack it is stuck in, and its end', async () => {
	const script = [
		"import { watchEventLoop } from './tests/hub-emulator/stall-watchdog.ts';",
		"watchEventLoop({ stallMs: 300, label: '[test]' });",
		'function spinInsideTheHandler() { const end = Date.now() + 1500; while (Date.now() < end); }',
		'setTimeout(() => { spinInsideTheHandler(); setTimeout(() => {}, 600); }, 200);'
	].join('\n');
	const { child, output } = run(['--input-type=module', '-e', script]);
	const code = await new Promise<number | null>((r) => child.once('exit', r));
	expect(code).toBe(0);
	expect(output()).toMatch(/\[test\] the event loop has been blocked for [\d.]+ s; asking where/);
	expect(output()).toContain('[test] the main thread is at:');
	expect(output()).toMatch(/\[test\]\s+at spinInsideTheHandler \(/);
	expect(output()).toMatch(/\[test\] the event loop runs again after [\d.]+ s/);
}, 30_000);

const hasGdb = (() => {
	try {
		execFileSync('gdb', ['--version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();

test.skipIf(!hasGdb)(
	'a process blocked in the kernel (Atomics.wait: a futex) still gives its native and JavaScript stacks',
	async () => {
		const script = [
			'function holdTheLoopInAFutex() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); }',
			"setTimeout(() => { console.error('holding'); holdTheLoopInAFutex(); }, 100);"
		].join('\n');
		const stuck = spawn(process.execPath, ['-e', script], { cwd: ROOT });
		try {
			await new Promise<void>((resolve) =>
				stuck.stderr.on('data', (d: Buffer) => d.toString().includes('holding') && resolve())
			);
			await new Promise((r) => setTimeout(r, 300));
			const lines = await stacksOf(stuck);
			const at = lines.indexOf('JavaScript stack:');
			expect(lines.slice(0, at).join('\n')).toMatch(/FutexEmulation|AtomicsWait/);
			expect(lines.slice(at).join('\n')).toContain('holdTheLoopInAFutex');
		} finally {
			stuck.kill('SIGKILL');
		}
	},
	60_000
);

test.skipIf(!hasGdb)(
	'a diagnosis that runs past its deadline gives up and says so, and leaves the process to be killed',
	async () => {
		const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: ROOT });
		try {
			await new Promise((r) => setTimeout(r, 300));
			const started = Date.now();
			const lines = await stacksOf(idle, 1);
			expect(lines).toEqual(['(gdb did not finish in 1 ms: no stacks)']);
			expect(Date.now() - started).toBeLessThan(10_000);
		} finally {
			idle.kill('SIGKILL');
		}
	},
	30_000
);
