/**
 * What a stuck process is doing (Linux): its state, kernel wait and CPU time from /proc, and
 * with gdb, where the machine has it, its main thread's native and JavaScript stacks.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What one gdb run gave: its output, or that there is no gdb, or that it ran past its deadline. */
interface GdbRun {
	out: string;
	missing: boolean;
	late: boolean;
}

/** State, kernel wait channel and CPU seconds of a process, where /proc has them. */
export function processState(pid: number): { state: string; wchan: string; cpuSeconds: number } {
	const read = (file: string) => {
		try {
			return readFileSync(`/proc/${pid}/${file}`, 'utf8');
		} catch {
			return '';
		}
	};
	const state = /^State:\s*(.*)$/m.exec(read('status'))?.[1] ?? 'unknown';
	const wchan = read('wchan').trim() || 'unknown';
	// Fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100 Hz).
	const fields = read('stat').split(') ')[1]?.split(' ') ?? [];
	const cpuSeconds = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
	return { state, wchan, cpuSeconds };
}

/**
 * Where a stuck child is, read with gdb where the machine has it: the native frames of its main
 * thread, and its JavaScript stack, which V8 prints to the child's stdout when asked. A thread
 * blocked in the kernel (a futex, say) cannot answer the inspector, but this still works.
 */
export async function stacksOf(stuck: ChildProcess, deadlineMs = 20_000): Promise<string[]> {
	const printed: string[] = [];
	const listen = (chunk: Buffer) => printed.push(chunk.toString());
	stuck.stdout!.on('data', listen);
	// gdb is killed outright at the deadline, and is not waited for past it either: a diagnosis that
	// hangs must never keep the caller from replacing the stuck process.
	let gdbProcess: ChildProcess | undefined;
	let deadline: NodeJS.Timeout | undefined;
	const gdb = await Promise.race([
		new Promise<GdbRun>((resolve) => {
			gdbProcess = execFile(
				'gdb',
				[
					'-p',
					String(stuck.pid),
					'-batch',
					'-nx',
					'-ex',
					'set pagination off',
					'-ex',
					'thread apply 1 bt 40',
					'-ex',
					'call (void)_v8_internal_Print_StackTrace()'
				],
				{ timeout: deadlineMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
				(error, stdout) =>
					resolve({
						out: String(stdout),
						missing: error?.code === 'ENOENT',
						late: error?.killed === true
					})
			);
		}),
		new Promise<GdbRun>((resolve) => {
			deadline = setTimeout(
				() => resolve({ out: '', missing: false, late: true }),
				deadlineMs + 2000
			);
		})
	]);
	clearTimeout(deadline);
	if (gdb.missing || gdb.late) {
		stuck.stdout!.off('data', listen);
		if (gdb.missing) return ['(no gdb here: no stacks)'];
		gdbProcess?.kill('SIGKILL');
		return [`(gdb did not finish in ${deadlineMs} ms: no stacks)`];
	}
	// What V8 printed may still be on its way through the pipe.
	await new Promise((resolve) => setTimeout(resolve, 500));
	stuck.stdout!.off('data', listen);
	const native = gdb.out
		.split('\n')
		.filter((line) => /^#\d+ /.test(line) && !line.includes(' in ?? ('))
		.map((line) => line.replace(/\(.{120,}?\)/g, '(…)'))
		.slice(0, 30);
	const js = printed.join('');
	const from = js.indexOf('==== JS stack trace');
	const frames = (from < 0 ? '' : js.slice(from, js.indexOf('==== Details', from)))
		.split('\n')
		.filter((line) => /^\s*\d+: /.test(line))
		.map((line) => line.trim().replace(/\(this=.*$/, ''))
		.slice(0, 40);
	return [
		'native stack of its main thread:',
		...(native.length > 0 ? native : ['(none read)']),
		'JavaScript stack:',
		...(frames.length > 0 ? frames : ['(none read)'])
	];
}
