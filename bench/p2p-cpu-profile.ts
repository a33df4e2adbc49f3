/** `BENCH_P2P_CPUPROFILE=1`: the receiving page's main thread sampled over CDP during a transfer. */
import type { Page } from 'playwright';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

export async function startProfile(page: Page): Promise<() => Promise<string>> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
	await cdp.send('Profiler.start');
	return async () => {
		const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
			profile: { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };
		};
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
		const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18);
		return top
			.map(([name, count]) => `      ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`)
			.join('\n');
	};
}
