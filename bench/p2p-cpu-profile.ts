/**
 * `BENCH_P2P_CPUPROFILE=1`: the receiving page's main thread and its dedicated workers (the Helia
 * worker) sampled over CDP during a transfer, and Citrate's sending page when it sends.
 */
import type { CDPSession, Page } from 'playwright';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
	nodes: ProfileNode[];
	samples: number[];
}

/** The functions with the most self time in one profile, one line each. */
function topFunctions(profile: Profile, count = 18): string {
	const hits = new Map<number, number>();
	for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
	const byName = new Map<string, number>();
	for (const node of profile.nodes) {
		const { functionName, url, lineNumber } = node.callFrame;
		const file = url.split('/').pop()?.split('?')[0] ?? '';
		const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
		byName.set(name, (byName.get(name) ?? 0) + (hits.get(node.id) ?? 0));
	}
	const total = profile.samples.length;
	return [...byName.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([name, hits]) => `      ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`)
		.join('\n');
}

/**
 * Workers are reached through the page's session (`Target.sendMessageToTarget`): each one that
 * starts is held until its profiler runs, so the Helia worker is sampled from its first task.
 */
function workerProfiler(cdp: CDPSession) {
	const pending = new Map<number, (result: unknown) => void>();
	const workers: { sessionId: string; url: string }[] = [];
	let nextId = 1;
	const send = (sessionId: string, method: string, params: object = {}) =>
		new Promise<unknown>((resolve) => {
			const id = nextId++;
			pending.set(id, resolve);
			void cdp.send('Target.sendMessageToTarget', {
				sessionId,
				message: JSON.stringify({ id, method, params })
			});
		});
	cdp.on('Target.receivedMessageFromTarget', (event: { message: string }) => {
		const message = JSON.parse(event.message) as { id?: number; result?: unknown };
		if (message.id !== undefined) pending.get(message.id)?.(message.result);
	});
	cdp.on(
		'Target.attachedToTarget',
		(event: { sessionId: string; targetInfo: { type: string; url: string } }) => {
			if (event.targetInfo.type !== 'worker') return;
			workers.push({ sessionId: event.sessionId, url: event.targetInfo.url });
			void (async () => {
				await send(event.sessionId, 'Profiler.enable');
				await send(event.sessionId, 'Profiler.setSamplingInterval', { interval: 1000 });
				await send(event.sessionId, 'Profiler.start');
				await send(event.sessionId, 'Runtime.runIfWaitingForDebugger');
			})();
		}
	);
	return {
		attach: () =>
			cdp.send('Target.setAutoAttach', {
				autoAttach: true,
				waitForDebuggerOnStart: true,
				flatten: false
			}),
		stop: async () => {
			const lines: string[] = [];
			for (const worker of workers) {
				const result = (await send(worker.sessionId, 'Profiler.stop')) as
					{ profile: Profile } | undefined;
				if (!result?.profile) continue;
				lines.push(`    worker ${worker.url.split('/').pop()?.split('?')[0] ?? ''}`);
				lines.push(topFunctions(result.profile));
			}
			return lines.join('\n');
		}
	};
}

export async function startProfile(page: Page): Promise<() => Promise<string>> {
	const cdp = await page.context().newCDPSession(page);
	const workers = workerProfiler(cdp);
	await workers.attach();
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
	await cdp.send('Profiler.start');
	return async () => {
		const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
		const workerLines = await workers.stop();
		// The sender's page is profiled run after run: one session at a time.
		await cdp.detach().catch(() => undefined);
		return ['    page', topFunctions(profile), workerLines].filter(Boolean).join('\n');
	};
}
