/**
 * Keeps the Hub emulator answering through a long end-to-end run:
 *   npx tsx tests/hub-emulator/supervise.ts --port 8787 --cdn-port 8788 [--repos DIR] [--host H]
 *
 * It runs `cli.ts` as a child and asks it `GET /__emulator/health` every few seconds. When the
 * child exits, has not answered for `--restart-after-ms` after answering before, or has not
 * answered within `--start-timeout-ms` of starting, the supervisor says what state the child was
 * in (from /proc: running, sleeping or stopped, and the CPU it used meanwhile; with gdb, its
 * native and JavaScript stacks) and starts a fresh one on the same ports. It says when each child
 * first answers: from then on a hang is measured from its last answer.
 * A fresh emulator is the state each test's reset asks for; the test that met the hang still
 * fails. Without this, one emulator that stops answering fails every test after it, each at its
 * full timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processState, stacksOf } from './process-diagnosis';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '8787' },
		'cdn-port': { type: 'string', default: '8788' },
		repos: { type: 'string' },
		host: { type: 'string', default: '127.0.0.1' },
		'check-every-ms': { type: 'string', default: '2000' },
		'restart-after-ms': { type: 'string', default: '30000' },
		'start-timeout-ms': { type: 'string', default: '120000' }
	}
});

const CLI = join(dirname(fileURLToPath(import.meta.url)), 'cli.ts');
const checkEveryMs = Number(values['check-every-ms']);
const restartAfterMs = Number(values['restart-after-ms']);
const startTimeoutMs = Number(values['start-timeout-ms']);
const healthUrl = `http://${values.host!.includes(':') ? `[${values.host}]` : values.host}:${values.port}/__emulator/health`;
/** Exits before the child ever answered, in a row: past this the emulator cannot start at all. */
const MAX_FAILED_STARTS = 3;
const say = (line: string) => console.error(`[hub-supervisor] ${line}`);

const cliArgs = [
	'--port',
	values.port!,
	'--cdn-port',
	values['cdn-port']!,
	'--host',
	values.host!,
	...(values.repos ? ['--repos', values.repos] : [])
];

let child: ChildProcess | null = null;
let stopping = false;
let failedStarts = 0;
/** When the current child started; since when it has answered, and its CPU time then. */
let startedAt = 0;
let answeredAt: number | null = null;
let cpuAtAnswer = 0;

function start(): void {
	startedAt = Date.now();
	answeredAt = null;
	// Its stdout is read here: V8 prints a stuck child's JavaScript stack there (see `stacksOf`).
	const current = spawn(process.execPath, ['--import', 'tsx', CLI, ...cliArgs], {
		stdio: ['ignore', 'pipe', 'inherit']
	});
	current.stdout!.pipe(process.stdout);
	child = current;
	current.on('exit', (code, signal) => {
		if (child !== current) return;
		child = null;
		if (stopping) process.exit(0);
		const answered = answeredAt !== null;
		say(
			`the emulator (pid ${current.pid}) exited (${signal ?? `code ${code}`}); starting a fresh one`
		);
		failedStarts = answered ? 0 : failedStarts + 1;
		if (failedStarts >= MAX_FAILED_STARTS) {
			say(`it exited ${failedStarts} times before answering once; giving up`);
			process.exit(1);
		}
		setTimeout(start, 500);
	});
}

async function answers(): Promise<boolean> {
	try {
		const response = await fetch(healthUrl, {
			signal: AbortSignal.timeout(Math.max(1000, checkEveryMs * 2))
		});
		return response.ok;
	} catch {
		return false;
	}
}

async function check(): Promise<void> {
	const current = child;
	if (!current?.pid) return;
	if (await answers()) {
		if (child !== current) return;
		if (answeredAt === null) {
			failedStarts = 0;
			say(`the emulator (pid ${current.pid}) answers`);
		}
		answeredAt = Date.now();
		cpuAtAnswer = processState(current.pid).cpuSeconds;
		return;
	}
	if (child !== current) return;
	// Stuck after answering, or never answered since it started (stuck while starting).
	const since = answeredAt ?? startedAt;
	if (Date.now() - since < (answeredAt === null ? startTimeoutMs : restartAfterMs)) return;
	const { state, wchan, cpuSeconds } = processState(current.pid);
	say(
		`the emulator (pid ${current.pid}) has not answered ${answeredAt === null ? 'since it started, ' : ''}for ${((Date.now() - since) / 1000).toFixed(0)} s: ` +
			`state ${state}, waiting in ${wchan}, ${(cpuSeconds - cpuAtAnswer).toFixed(1)} CPU s since its last answer.`
	);
	// A process stopped by a signal is not stuck in its own code, and gdb would have to resume it.
	if (state.startsWith('T')) say('  it was stopped by a signal: no stacks to read.');
	else for (const line of await stacksOf(current)) say(`  ${line}`);
	say('Killing it.');
	// Its exit starts the fresh one, as for any child that exits.
	current.kill('SIGKILL');
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => {
		stopping = true;
		if (!child) process.exit(0);
		child.kill('SIGTERM');
		// A child that does not close in time is killed: the ports must come free.
		setTimeout(() => child?.kill('SIGKILL'), 5000).unref();
	});
}

start();
for (;;) {
	await new Promise((resolve) => setTimeout(resolve, checkEveryMs));
	if (!stopping) await check();
}
