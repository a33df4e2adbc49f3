/**
 * `npm run bench:p2p`: one model (a generated GGUF, 128 MiB by default) moved A → B on three
 * paths, through Citrate's own receive path ("app") next to plain Helia-to-Helia ("bare") on the
 * same path, in one run:
 *   1. browser ↔ browser over WebRTC (signalled through a circuit-relay-v2 node),
 *   2. browser ↔ browser over the relayed connection (relay without the default limit; the
 *      receiver has no WebRTC),
 *   3. browser ← the Citrate node (`scripts/ipfs-node`) over WebSockets.
 * Everything (relay, node, page server, every Chromium) runs inside a network namespace this
 * bench makes (tests/p2p/netns.ts: root, a veth pair; nothing leaves it). Reports connect time,
 * time to first block, MiB/s and app/bare per path (per repeat, and their median: the target);
 * writes bench/results/p2p.json. Exits non-zero when the namespace cannot be made (saying why), a
 * run fails, or the whole bench passes BENCH_TIMEOUT_MS (default 60 min: 5 repeats of 128 MiB
 * took 40 min on a slow day here).
 *
 *   BENCH_P2P_MIB=128 BENCH_REPEATS=3 npm run bench:p2p
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium-path.mjs';
import type { ShareOffer } from '../src/lib/p2p/share-link';
import { createNetns, netnsUnavailable, type Netns } from '../tests/p2p/netns';
import { openBenchPage } from './inference-open';
import { seedNodeRepo, startNode, writeModel } from './p2p-fixtures';
import { startProfile } from './p2p-cpu-profile';
import { cpuBetween, threadTicks, topThreads, type CpuSeconds } from './p2p-cpu-time';
import type { Path, Transfer } from './p2p-types';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench/results/p2p.json');
const SIZE_MIB = Number(process.env.BENCH_P2P_MIB ?? 128);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60 * 60_000);
/** One step (a send, a receive) may take this long before the bench gives up. */
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 6 * 60_000);
const TARGET_RATIO = 0.9;
const MODEL_NAME = 'bench-p2p-Q8_0.gguf';
const PATHS: { path: Path; label: string; expectKind: string }[] = [
	{ path: 'webrtc', label: 'WebRTC, browser ↔ browser', expectKind: 'webrtc' },
	{ path: 'relayed', label: 'relayed (circuit v2, no limit)', expectKind: 'relayed' },
	{ path: 'node', label: 'Node node → browser, WebSockets', expectKind: 'websockets' }
];

const NO_WEBRTC = `Object.defineProperty(globalThis, 'RTCPeerConnection', {
	value: class {
		constructor() {
			throw new DOMException('WebRTC is not available', 'NotSupportedError');
		}
	}
});`;

/**
 * Profile only (`BENCH_P2P_PROFILE=1` for all, or some in `BENCH_P2P_VARIANTS=peer,serve`): `peer` is Citrate's
 * page-side Peer alone (no worker, OPFS or file hash); `pipe` is the app's model pipeline fed
 * from memory (no network); `serve` is the bare receiver fetching from the app's sender (on the
 * node path, from the node), which separates the sender's share from the receiver's.
 */
type Variant = 'app' | 'bare' | 'floor' | 'peer' | 'pipe' | 'serve';
const VARIANTS: Variant[] = [
	'app',
	'bare',
	'floor',
	...((process.env.BENCH_P2P_VARIANTS
		? process.env.BENCH_P2P_VARIANTS.split(',')
		: process.env.BENCH_P2P_PROFILE === '1'
			? ['peer', 'pipe', 'serve']
			: []) as Variant[])
];
/** `BENCH_P2P_PATHS=node,relayed` narrows a run (the JSON then holds only those). */
const ONLY = (process.env.BENCH_P2P_PATHS ?? '').split(',').filter(Boolean);

const log = (line: string) => console.log(line);
/** Stops the browsers, servers and the namespace (also when the watchdog fires). */
let cleanup: (() => Promise<void>) | undefined;

function within<T>(what: string, promise: Promise<T>, ms = STEP_MS): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	return Promise.race([
		promise,
		new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
		})
	]).finally(() => clearTimeout(timer));
}

const median = (values: number[]) => {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * `BENCH_P2P_CPUPROFILE=1`: the receiving page's main thread and its workers profiled during the
 * transfer (CDP), Citrate's sending page too when it sends, and the machine's busiest threads;
 * prints where the time goes.
 */
const CPU_PROFILE = process.env.BENCH_P2P_CPUPROFILE === '1';

interface Run extends Transfer {
	path: Path;
	variant: Variant;
	repeat: number;
	/** CPU seconds spent during the transfer, by whom (the whole machine). */
	cpu: CpuSeconds;
}

/** The median of each CPU figure over the runs. */
function medianCpu(runs: Run[]): CpuSeconds {
	const keys = Object.keys(runs[0]!.cpu) as (keyof CpuSeconds)[];
	return Object.fromEntries(
		keys.map((key) => [key, round(median(runs.map((r) => r.cpu[key])), 2)])
	) as unknown as CpuSeconds;
}

function summarize(runs: Run[]) {
	if (runs.length === 0) throw new Error('no runs to summarize');
	const best = runs.reduce((a, b) => (b.mibPerSecond > a.mibPerSecond ? b : a));
	return {
		runs: runs.length,
		mibPerSecondRuns: runs.map((r) => round(r.mibPerSecond)),
		bestMiBPerSecond: round(best.mibPerSecond, 2),
		medianMiBPerSecond: round(median(runs.map((r) => r.mibPerSecond)), 2),
		connectMs: round(median(runs.map((r) => r.connectMs)), 0),
		firstBlockMs: round(median(runs.map((r) => r.firstBlockMs)), 0),
		transferMs: round(median(runs.map((r) => r.transferMs)), 0),
		cpuSeconds: medianCpu(runs),
		kind: best.kind
	};
}

/**
 * `a`'s speed over `b`'s in each repeat (the two ran next to each other, in alternating order),
 * then the median of those, unrounded: a slow spell of the machine slows both runs of a repeat,
 * where the best run of each variant may come from different spells.
 */
function pairedRatio(runs: Run[], a: Variant, b: Variant): { perRepeat: number[]; median: number } {
	const perRepeat: number[] = [];
	for (let repeat = 0; repeat < REPEATS; repeat++) {
		const first = runs.find((r) => r.variant === a && r.repeat === repeat);
		const second = runs.find((r) => r.variant === b && r.repeat === repeat);
		if (first && second) perRepeat.push(first.mibPerSecond / second.mibPerSecond);
	}
	return { perRepeat, median: median(perRepeat) };
}

/** Tries at a connection, each with a fresh receiver, before a run counts as failed. */
const CONNECT_ATTEMPTS = 3;

/** A connection that could not be made: a fresh browser's first WebRTC dial sometimes times out. */
function couldNotConnect(error: unknown): boolean {
	return /dialling|cannot be reached/.test(String(error));
}

async function main(): Promise<void> {
	const unavailable = netnsUnavailable();
	if (unavailable) throw new Error(`bench:p2p needs a network namespace: ${unavailable}`);
	const chromiumPath = findChromium() ?? chromium.executablePath();
	const dir = await mkdtemp(join(tmpdir(), 'citrate-bench-p2p-'));
	const contexts = new Set<BrowserContext>();
	let ns: Netns | undefined;
	cleanup = async () => {
		cleanup = undefined;
		for (const context of contexts) await context.close().catch(() => undefined);
		await ns?.close();
		await rm(dir, { recursive: true, force: true });
	};
	try {
		log(`bench:p2p — ${SIZE_MIB} MiB model, ${REPEATS} run(s) per path and variant`);
		const model = await writeModel(dir, MODEL_NAME, SIZE_MIB);
		const nodeRepo = join(dir, 'node');
		const nodeCid = await seedNodeRepo(nodeRepo, model.path);
		ns = await createNetns();
		const netns = ns;
		const browserPath = await netns.wrap(chromiumPath);
		const relay = await startNode(netns, join(dir, 'relay'), true);
		const node = await startNode(netns, nodeRepo, false);
		const server = await netns.start(
			'npx',
			['tsx', 'bench/p2p-serve.ts', '--model', model.path],
			/bench server http\S+/
		);
		const base = /bench server (http\S+)/.exec(server.output())![1]!;
		const modelUrl = new URL(`/__bench/models/${MODEL_NAME}`, base).href;
		const pageUrl = new URL('/bench/p2p.html', base).href;
		log(`namespace ${netns.pid}; relay ${relay.ws}; node ${node.ws}; pages ${base}`);

		const open = async (
			noWebRTC = false
		): Promise<{ page: Page; profile: string; close: () => Promise<void> }> => {
			const profile = await mkdtemp(join(dir, 'profile-'));
			const context = await chromium.launchPersistentContext(profile, {
				executablePath: browserPath,
				args: CHROMIUM_ARGS
			});
			contexts.add(context);
			// A browser without WebRTC (as the e2e makes one): every WebRTC dial fails at once.
			if (noWebRTC) await context.addInitScript({ content: NO_WEBRTC });
			const page = context.pages()[0] ?? (await context.newPage());
			page.on('console', (message) => {
				// Vite's client looks for its dev socket, which this server does not run.
				if (
					message.type() === 'error' &&
					!/vite|WebSocket|Failed to load resource/.test(message.text())
				)
					log(`  [page] ${message.text()}`);
			});
			await openBenchPage(page, pageUrl, STEP_MS);
			return {
				page,
				profile,
				close: async () => {
					contexts.delete(context);
					await context.close().catch(() => undefined);
					await rm(profile, { recursive: true, force: true });
				}
			};
		};

		// The senders stay up for the whole run: A (the app, its model pinned as a download is) and
		// A' (plain Helia, the same bytes in memory).
		const appSender = await open();
		const offer: ShareOffer = await within(
			'the app sender',
			appSender.page.evaluate(([u, r]) => window.p2p.appSend(u, r), [modelUrl, relay.ws] as const)
		);
		const bareSender = await open();
		const bareOffer = await within(
			'the bare sender',
			bareSender.page.evaluate(([u, r]) => window.p2p.bareSend(u, r), [modelUrl, relay.ws] as const)
		);
		if (offer.cid !== nodeCid || bareOffer.cid !== nodeCid)
			throw new Error(`CIDs differ: app ${offer.cid}, bare ${bareOffer.cid}, node ${nodeCid}`);
		const sha256 = offer.model.files[0]!.sha256;
		log(`model ${nodeCid} (${model.size} bytes), sha256 ${sha256}`);
		const bareAddr = (path: Path, from = bareOffer) => {
			if (path === 'node') return node.ws;
			const found = from.addrs.find((addr) =>
				path === 'webrtc' ? addr.includes('/webrtc') : !addr.includes('/webrtc')
			);
			if (!found) throw new Error(`the bare sender has no ${path} address`);
			return found;
		};
		const appOffer = {
			cid: offer.cid,
			addrs: offer.peer.addrs.map((addr) =>
				addr.endsWith(`/p2p/${offer.peer.id}`) ? addr : `${addr}/p2p/${offer.peer.id}`
			)
		};
		const nodeOffer: ShareOffer = { ...offer, peer: { id: node.peerId, addrs: [node.ws] } };

		/** One transfer to a fresh receiver, by the variant's page function. */
		const receiveWith = (page: Page, variant: Variant, path: Path): Promise<Transfer> => {
			const source = path === 'node' ? nodeOffer : offer;
			switch (variant) {
				case 'app':
					return page.evaluate(([o, r, how]) => window.p2p.appReceive(o, r, how), [
						source,
						relay.ws,
						path === 'node' ? 'add' : 'receive'
					] as const);
				case 'peer':
					return page.evaluate(([o, r]) => window.p2p.peerReceive(o, r), [
						source,
						relay.ws
					] as const);
				case 'pipe':
					return page.evaluate(([u, o]) => window.p2p.pipeReceive(u, o), [
						modelUrl,
						offer
					] as const);
				case 'floor':
					return page.evaluate(([c, a, r]) => window.p2p.floorReceive(c, a, r), [
						nodeCid,
						bareAddr(path),
						relay.ws
					] as const);
				case 'serve':
				case 'bare':
					// `serve`: the bare receiver, from Citrate's sender (on the node path, the node).
					return page.evaluate(([c, a, r]) => window.p2p.bareReceive(c, a, r), [
						nodeCid,
						variant === 'serve' ? bareAddr(path, appOffer) : bareAddr(path),
						relay.ws
					] as const);
			}
		};

		const runs: Run[] = [];
		/** Runs whose connection failed and that were made again (each once at most). */
		const retried: string[] = [];
		const paths = PATHS.filter(({ path }) => ONLY.length === 0 || ONLY.includes(path));
		/**
		 * One transfer by each sender in use on the path, not measured: the first transfer from a
		 * sender (a node reading its blocks from disk the first time, code not yet optimised) is
		 * slower, and the first repeat always starts with the app.
		 */
		const warmUp = async (path: Path) => {
			for (const variant of ['app', 'bare'] as const)
				for (let attempt = 1; ; attempt++) {
					const receiver = await open(path === 'relayed');
					try {
						await within(
							`warming up ${path} (${variant})`,
							receiveWith(receiver.page, variant, path)
						);
						break;
					} catch (error) {
						if (attempt >= CONNECT_ATTEMPTS || !couldNotConnect(error)) throw error;
					} finally {
						await receiver.close();
					}
				}
			log(`  ${path}: warmed up (one app and one bare transfer, not measured)`);
		};
		for (const { path, expectKind } of paths) {
			await warmUp(path);
			for (let repeat = 0; repeat < REPEATS; repeat++)
				// Alternating order, so neither variant always runs first.
				for (const variant of repeat % 2 === 0 ? VARIANTS : [...VARIANTS].reverse())
					for (let attempt = 1; ; attempt++) {
						const receiver = await open(path === 'relayed');
						// The app's Helia worker starts outside the CPU window (its start-up is no transfer's).
						if (variant === 'app' || variant === 'pipe')
							await receiver.page.evaluate(() => window.p2p.warm());
						const profiler = CPU_PROFILE ? await startProfile(receiver.page) : undefined;
						const citrateSends = (variant === 'app' || variant === 'serve') && path !== 'node';
						const senderProfiler =
							CPU_PROFILE && citrateSends ? await startProfile(appSender.page) : undefined;
						const ticksBefore = threadTicks();
						try {
							const transfer: Transfer = await within(
								`${variant} over ${path}`,
								receiveWith(receiver.page, variant, path)
							);
							if (transfer.kind !== expectKind && variant !== 'pipe')
								throw new Error(`${variant} over ${path} connected over ${transfer.kind}`);
							if (transfer.bytes !== model.size)
								throw new Error(`${variant} over ${path} received ${transfer.bytes} bytes`);
							if ((variant === 'app' || variant === 'floor') && transfer.sha256 !== sha256)
								throw new Error(`${variant} over ${path}: SHA-256 ${transfer.sha256} ≠ ${sha256}`);
							const ticksAfter = threadTicks();
							const receiverProfile = basename(receiver.profile);
							const cpu = cpuBetween(ticksBefore, ticksAfter, receiverProfile);
							if (CPU_PROFILE) log(topThreads(ticksBefore, ticksAfter, receiverProfile));
							runs.push({ ...transfer, path, variant, repeat, cpu });
							if (profiler) log(await profiler());
							if (senderProfiler) log(`    Citrate's sender:\n${await senderProfiler()}`);
							log(
								`  ${path.padEnd(8)} ${variant.padEnd(5)} #${repeat + 1}: ${transfer.mibPerSecond.toFixed(1)} MiB/s, connect ${transfer.connectMs.toFixed(0)} ms, first block ${transfer.firstBlockMs.toFixed(0)} ms,${transfer.lastBlockMs === undefined ? '' : ` last block ${transfer.lastBlockMs.toFixed(0)} ms of ${transfer.transferMs.toFixed(0)},`} ${transfer.blocks} blocks over ${transfer.sourceKinds.join('+')}`
							);
							log(
								`           CPU s: receiving page ${cpu.receiverPage}, its workers ${cpu.receiverWorkers}, rest of its browser ${cpu.receiverOther}, senders ${cpu.senders}, node ${cpu.node}, other ${cpu.other}, all ${cpu.total}`
							);
							break;
						} catch (error) {
							// A connection that could not be made (a fresh browser's first WebRTC dial timing out
							// happens) is tried again with a fresh receiver, and said; nothing else is.
							const text = String(error);
							if (attempt >= CONNECT_ATTEMPTS || !couldNotConnect(error)) throw error;
							const what = `${path} ${variant} #${repeat + 1}: ${text.split('\n')[0]}`;
							retried.push(what);
							log(`  could not connect, again with a fresh receiver: ${what}`);
						} finally {
							await receiver.close();
						}
					}
		}

		const results = paths.map(({ path, label }) => {
			const of = (variant: Variant) =>
				summarize(runs.filter((r) => r.path === path && r.variant === variant));
			const app = of('app');
			const bare = of('bare');
			const floor = of('floor');
			const ratio = round(app.bestMiBPerSecond / bare.bestMiBPerSecond, 2);
			const onPath = runs.filter((r) => r.path === path);
			const paired = pairedRatio(onPath, 'app', 'bare');
			const extra = Object.fromEntries(
				VARIANTS.filter((v) => !['app', 'bare', 'floor'].includes(v)).map((v) => [v, of(v)])
			);
			return {
				path,
				label,
				app,
				bare,
				floor,
				profile: extra,
				appVsBare: ratio,
				medianAppVsBare: round(app.medianMiBPerSecond / bare.medianMiBPerSecond, 2),
				pairedAppVsBare: round(paired.median, 3),
				appVsBareByRepeat: paired.perRepeat.map((r) => round(r, 3)),
				pairedFloorVsBare: round(pairedRatio(onPath, 'floor', 'bare').median, 3),
				floorVsBare: round(floor.bestMiBPerSecond / bare.bestMiBPerSecond, 2),
				appVsFloor: round(app.bestMiBPerSecond / floor.bestMiBPerSecond, 2),
				meetsTarget: paired.median >= TARGET_RATIO
			};
		});
		const report = {
			date: new Date().toISOString(),
			machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' },
			chromium: chromiumPath,
			model: { cid: nodeCid, bytes: model.size, sha256, blocks: Math.ceil(model.size / 262_144) },
			repeats: REPEATS,
			method: {
				app: 'Citrate: sender pinned as a download is (OPFS Filestore) and served by its Peer; receiver runs receiveOffer (WebRTC, relayed) or fetchByCidWith (the node): bitswap on the page (each block hashed against its CID by Helia), handed to the Helia worker, written to OPFS, SHA-256 checked, pinned, registered',
				bare: 'plain Helia (light) + libp2p, same transports, bitswap defaults, in-memory blockstore; the receiver asks at most as many blocks at once as the app keeps in flight (PEER_FETCH_AHEAD, 64), writes nothing',
				floor:
					'bare plus the least a browser app must do to keep the model and check its SHA-256 (no Citrate code): each leaf copied off the page to a worker, written into an OPFS file at its offset (sync access handle), the file hashed in order (hash-wasm; WebCrypto has no incremental digest)',
				mibPerSecond:
					'model bytes / (asking for the CID → the last block in: bare; the file hashed: floor; the model registered: app); the connection is made first and timed apart',
				ratio:
					'pairedAppVsBare (the target): app / bare in each repeat (the two run next to each other, in alternating order), then the median over repeats, unrounded against the target (appVsBareByRepeat lists them); appVsBare: best app run / best bare run; floorVsBare and appVsFloor likewise; medianAppVsBare from the medians',
				cpuSeconds:
					'median CPU seconds spent during a transfer, by whom: every thread on the machine from /proc (the receiving browser told apart by its profile folder)'
			},
			targets: { pairedAppVsBare: TARGET_RATIO },
			retried,
			results,
			runs
		};
		mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
		writeFileSync(OUT, JSON.stringify(report, null, 2) + '\n');
		log(`\npath                              variant  MiB/s (best)  connect ms  first block ms`);
		for (const row of results)
			for (const [variant, s] of Object.entries({
				app: row.app,
				bare: row.bare,
				floor: row.floor,
				...row.profile
			}))
				log(
					`${row.label.padEnd(33)} ${variant.padEnd(7)} ${s.bestMiBPerSecond.toFixed(1).padStart(13)} ${s.connectMs.toFixed(0).padStart(11)} ${s.firstBlockMs.toFixed(0).padStart(15)}`
				);
		log('');
		for (const row of results)
			log(
				`${row.label.padEnd(33)} app/bare by repeat ${row.appVsBareByRepeat.map((r) => r.toFixed(3)).join(' ')}: median ${row.pairedAppVsBare.toFixed(3)} ${row.meetsTarget ? '≥' : '<'} ${TARGET_RATIO}; best ${row.appVsBare.toFixed(2)}, medians ${row.medianAppVsBare.toFixed(2)}; floor/bare ${row.pairedFloorVsBare.toFixed(3)} (best ${row.floorVsBare.toFixed(2)}), app/floor ${row.appVsFloor.toFixed(2)}`
			);
		log(`wrote ${OUT}`);
		await appSender.close();
		await bareSender.close();
	} finally {
		await cleanup?.();
	}
}

const watchdog = setTimeout(() => {
	console.error(`bench:p2p gave up after ${TIMEOUT_MS / 1000} s (BENCH_TIMEOUT_MS)`);
	const stopped = cleanup?.() ?? Promise.resolve();
	const bound = new Promise((resolve) => setTimeout(resolve, 15_000));
	void Promise.race([stopped, bound]).finally(() => process.exit(1));
}, TIMEOUT_MS);
watchdog.unref();
// Interrupted: the namespace, its servers and the browsers go too.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
	process.once(signal, () => {
		console.error(`bench:p2p interrupted (${signal})`);
		const bound = new Promise((resolve) => setTimeout(resolve, 15_000));
		void Promise.race([cleanup?.() ?? Promise.resolve(), bound]).finally(() => process.exit(1));
	});

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	}
);
