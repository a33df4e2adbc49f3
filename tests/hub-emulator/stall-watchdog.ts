/**
 * Says where the emulator's event loop is stuck. A worker thread watches a heartbeat that the main
 * thread bumps on a timer; when it has not moved for `stallMs`, the worker pauses the main thread
 * through the inspector, writes its JavaScript stack to stderr and lets it go on. A loop that never
 * yields cannot log for itself, and a request that hangs for no visible reason is one.
 */
import { Worker } from 'node:worker_threads';

/**
 * Plain JavaScript, an ES module loaded from a data: URL with no flags of the parent's (tsx's
 * loader among them). The worker writes with `writeSync`: its `console` would go through the main
 * thread, which is the one that is stuck.
 */
const WORKER_SOURCE = `
import { workerData } from 'node:worker_threads';
import { Session } from 'node:inspector';
import { writeSync } from 'node:fs';
const { heartbeat, stallMs, label } = workerData;
const say = (line) => writeSync(2, label + ' ' + line + String.fromCharCode(10));
let seen = Atomics.load(heartbeat, 0);
let movedAt = Date.now();
let stalled = false;
setInterval(() => {
	const now = Atomics.load(heartbeat, 0);
	if (now !== seen) {
		if (stalled) say('the event loop runs again after ' + ((Date.now() - movedAt) / 1000).toFixed(1) + ' s');
		seen = now;
		movedAt = Date.now();
		stalled = false;
		return;
	}
	if (stalled || Date.now() - movedAt < stallMs) return;
	stalled = true;
	// Said now: a thread blocked in the kernel never takes the pause below.
	say('the event loop has been blocked for ' + ((Date.now() - movedAt) / 1000).toFixed(1) + ' s; asking where');
	const session = new Session();
	session.connectToMainThread();
	session.on('Debugger.paused', ({ params }) => {
		const frames = params.callFrames.map(
			(f) => '    at ' + (f.functionName || '<anonymous>') + ' (' + f.url + ':' + (f.location.lineNumber + 1) + ':' + (f.location.columnNumber + 1) + ')'
		);
		say('the main thread is at:');
		for (const frame of frames) say(frame);
		session.post('Debugger.resume', () => session.post('Debugger.disable', () => session.disconnect()));
	});
	session.post('Debugger.enable', () => session.post('Debugger.pause'));
}, Math.max(50, Math.floor(stallMs / 4)));
`;

/** Runs for the life of the process (its timer and worker do not keep it alive). */
export function watchEventLoop(options: { stallMs?: number; label?: string } = {}): void {
	const stallMs = options.stallMs ?? 10_000;
	const heartbeat = new Int32Array(new SharedArrayBuffer(4));
	const beat = setInterval(
		() => Atomics.add(heartbeat, 0, 1),
		Math.max(20, Math.floor(stallMs / 10))
	);
	beat.unref();
	const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`), {
		execArgv: [],
		workerData: { heartbeat, stallMs, label: options.label ?? '[watchdog]' }
	});
	worker.unref();
	// The watchdog must never take the emulator down with it.
	worker.on('error', (err) => console.error(`${options.label ?? '[watchdog]'} stopped:`, err));
}
