/**
 * CPU time spent during one transfer, from /proc: every thread of every process on the machine,
 * before and after, summed by who spent it. The receiving browser is told apart from the other
 * browsers by its profile folder (Chromium names its child processes after it). On two shared
 * cores, what the app costs beyond bare Helia shows here even where wall time is noisy.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface CpuSeconds {
	/** The receiving page's main thread (the network runs there). */
	receiverPage: number;
	/** The receiving page's dedicated workers (the Helia worker: SHA-256, OPFS writes). */
	receiverWorkers: number;
	/** The receiving browser's other threads and processes (IO, WebRTC, IndexedDB, files). */
	receiverOther: number;
	/** The other browsers (the senders). */
	senders: number;
	/** Node processes (the Citrate node, the relay, the bench itself). */
	node: number;
	/** Everything else (the kernel's writeback included). */
	other: number;
	total: number;
}

interface ThreadTicks {
	owner: string;
	thread: string;
	ticks: number;
}

function read(path: string): string | undefined {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return undefined;
	}
}

/** `comm` and utime + stime of one /proc/…/stat line. */
function parseStat(stat: string): { comm: string; ticks: number } {
	const close = stat.lastIndexOf(')');
	const fields = stat.slice(close + 2).split(' ');
	return {
		comm: stat.slice(stat.indexOf('(') + 1, close),
		ticks: Number(fields[11]) + Number(fields[12])
	};
}

/** Every live thread's CPU ticks so far, keyed by thread id. */
export function threadTicks(): Map<string, ThreadTicks> {
	const out = new Map<string, ThreadTicks>();
	for (const pid of readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		const cmdline = read(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
		const owner = cmdline.join(' ');
		let tids: string[];
		try {
			tids = readdirSync(`/proc/${pid}/task`);
		} catch {
			continue;
		}
		for (const tid of tids) {
			const stat = read(`/proc/${pid}/task/${tid}/stat`);
			if (!stat) continue;
			const { comm, ticks } = parseStat(stat);
			out.set(tid, { owner, thread: comm, ticks });
		}
	}
	return out;
}

/** Each thread that ran between two snapshots, with the CPU seconds it spent meanwhile. */
function* spentBetween(
	before: Map<string, ThreadTicks>,
	after: Map<string, ThreadTicks>
): Generator<{ thread: ThreadTicks; seconds: number }> {
	for (const [tid, thread] of after) {
		const seconds = (thread.ticks - (before.get(tid)?.ticks ?? 0)) / TICKS_PER_SECOND;
		if (seconds > 0) yield { thread, seconds };
	}
}

/** A Chromium process (Chromium titles its children with their whole command line). */
function isChromium(owner: string): boolean {
	return /chrom|--type=/.test(owner);
}

/** Who spent the CPU between two snapshots; `receiverProfile` is the receiving browser's folder. */
export function cpuBetween(
	before: Map<string, ThreadTicks>,
	after: Map<string, ThreadTicks>,
	receiverProfile: string
): CpuSeconds {
	const spent: CpuSeconds = {
		receiverPage: 0,
		receiverWorkers: 0,
		receiverOther: 0,
		senders: 0,
		node: 0,
		other: 0,
		total: 0
	};
	for (const { thread, seconds } of spentBetween(before, after)) {
		spent.total += seconds;
		const chromium = isChromium(thread.owner);
		const receiver = thread.owner.includes(receiverProfile);
		const renderer = thread.owner.includes('--type=renderer');
		if (receiver && renderer && thread.thread === 'DedicatedWorker')
			spent.receiverWorkers += seconds;
		else if (receiver && renderer && /^chrom/.test(thread.thread)) spent.receiverPage += seconds;
		else if (receiver) spent.receiverOther += seconds;
		else if (chromium) spent.senders += seconds;
		else if (/(^|\/)node\b/.test(thread.owner.split(' ')[0] ?? '')) spent.node += seconds;
		else spent.other += seconds;
	}
	for (const key of Object.keys(spent) as (keyof CpuSeconds)[])
		spent[key] = Math.round(spent[key] * 100) / 100;
	return spent;
}

/** Who a thread works for, in a few words (for `topThreads`). */
function role(owner: string, receiverProfile: string): string {
	const type = /--type=(\S+)/.exec(owner)?.[1];
	const utility = /--utility-sub-type=(\S+)/.exec(owner)?.[1];
	const browser = owner.includes(receiverProfile) ? 'receiver' : 'sender';
	if (isChromium(owner))
		return `${browser} ${type ? (utility ?? type) : 'browser'}`.replace(
			/network\.mojom\.NetworkService/,
			'network'
		);
	// A Citrate node is named for its repo folder (`relay`, `node`): their arguments are alike.
	const repo = /scripts\/ipfs-node\/cli\.ts .*--repo \S*?([^/\s]+)(\s|$)/.exec(owner)?.[1];
	if (repo) return `Citrate node ${repo}`;
	const node = owner.split(' ').filter((arg) => !arg.startsWith('-'));
	return node[0]?.endsWith('node')
		? `node ${node.slice(-5).join(' ').slice(-40)}`
		: owner.slice(0, 30) || 'kernel';
}

/** The threads that spent the most CPU between two snapshots, one line each. */
export function topThreads(
	before: Map<string, ThreadTicks>,
	after: Map<string, ThreadTicks>,
	receiverProfile: string,
	count = Number(process.env.BENCH_P2P_TOP_THREADS ?? 14)
): string {
	const byName = new Map<string, number>();
	for (const { thread, seconds } of spentBetween(before, after)) {
		const name = `${role(thread.owner, receiverProfile)} :: ${thread.thread}`;
		byName.set(name, (byName.get(name) ?? 0) + seconds);
	}
	return [...byName.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([name, seconds]) => `      ${seconds.toFixed(2).padStart(6)} s  ${name}`)
		.join('\n');
}
