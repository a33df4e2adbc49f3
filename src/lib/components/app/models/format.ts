import { resolve } from '$app/paths';

/** Display helpers for the models pages. */
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatCount(value: number): string {
	return compact.format(value);
}

/** 7615616512 → "7.6B", 260000 → "260K". */
export function formatParams(value: number | null): string | null {
	if (!value) return null;
	if (value >= 1e9) return `${(value / 1e9).toFixed(value >= 1e10 ? 0 : 1)}B`;
	if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 1)}M`;
	if (value >= 1e3) return `${Math.round(value / 1e3)}K`;
	return String(value);
}

const relative = new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	['year', 365 * 86_400_000],
	['month', 30 * 86_400_000],
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000]
];

export function formatUpdated(iso: string | null, now = Date.now()): string | null {
	if (!iso) return null;
	const time = Date.parse(iso);
	if (Number.isNaN(time)) return null;
	const diff = time - now;
	for (const [unit, ms] of UNITS) {
		if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
	}
	return 'just now';
}

export function formatDate(iso: string | null): string | null {
	if (!iso) return null;
	const time = Date.parse(iso);
	return Number.isNaN(time) ? null : new Date(time).toISOString().slice(0, 10);
}

/** The app's page of a model (ids are validated `owner/name`: URL-safe characters only). */
export function modelHref(id: string): string {
	return resolve('/models/[...id]', { id });
}
