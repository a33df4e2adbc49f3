/** The /pins list: the spec's filters, newest first, `count` before the limit. */
import type { PinQuery, PinResults, PinStatus } from '../../../src/lib/pinning/spec';

function nameMatches(name: string | undefined, q: PinQuery): boolean {
	if (q.name === undefined) return true;
	if (name === undefined) return false;
	switch (q.match) {
		case 'exact':
			return name === q.name;
		case 'iexact':
			return name.toLowerCase() === q.name.toLowerCase();
		case 'partial':
			return name.includes(q.name);
		case 'ipartial':
			return name.toLowerCase().includes(q.name.toLowerCase());
	}
}

export function matches(p: PinStatus, q: PinQuery): boolean {
	if (!q.status.includes(p.status)) return false;
	if (q.cid !== undefined && !q.cid.includes(p.pin.cid)) return false;
	if (!nameMatches(p.pin.name, q)) return false;
	const created = Date.parse(p.created);
	if (q.before !== undefined && !(created < q.before.getTime())) return false;
	if (q.after !== undefined && !(created > q.after.getTime())) return false;
	if (q.meta !== undefined) {
		for (const [k, v] of Object.entries(q.meta)) if (p.pin.meta?.[k] !== v) return false;
	}
	return true;
}

export function queryPins(all: Iterable<PinStatus>, q: PinQuery): PinResults {
	const found = [...all]
		.filter((p) => matches(p, q))
		.sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
	return { count: found.length, results: found.slice(0, q.limit) };
}
