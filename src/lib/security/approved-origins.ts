/**
 * The origins the user allowed Citrate to connect to (Settings → "Connections you allowed"), kept
 * in IndexedDB `settings` (key `approvedOrigins`). The page approves and revokes; the service
 * worker reads the list when it serves index.html and adds it to `connect-src`
 * (`rewriteCspMeta`), so an approval takes effect at the next load of the page.
 *
 * For features whose endpoint the user types in (a pinning service, an IPFS node over wss://):
 * `approveOrigin(endpoint)` after the user confirmed, then ask for a reload
 * (`ApproveOriginPrompt` does both). `isAllowedByCsp(url, pagePolicy(document))` says whether
 * the current page may already connect.
 */
import { openCitrateDB } from '../storage/db';
import { AppError } from '../errors';
import {
	MAX_APPROVED_ORIGINS,
	isApprovableOrigin,
	parseApprovableOrigin,
	type OriginPolicy
} from './origin-parse';

export const APPROVED_ORIGINS_SETTING_KEY = 'approvedOrigins';

/** The stored list, each entry checked again (a tampered or outdated value is skipped). */
export async function listApprovedOrigins(policy: OriginPolicy): Promise<string[]> {
	const record = await (await openCitrateDB()).get('settings', APPROVED_ORIGINS_SETTING_KEY);
	const value = record?.value;
	if (!Array.isArray(value)) return [];
	const valid = value.filter(
		(entry): entry is string => typeof entry === 'string' && isApprovableOrigin(entry, policy)
	);
	return [...new Set(valid)].slice(0, MAX_APPROVED_ORIGINS);
}

async function store(origins: string[]): Promise<void> {
	await (
		await openCitrateDB()
	).put('settings', { key: APPROVED_ORIGINS_SETTING_KEY, value: origins });
}

/**
 * Allows the origin of `url` (validated by `parseApprovableOrigin`); returns that origin.
 * Approving an origin twice is harmless.
 */
export async function approveOrigin(url: string, policy: OriginPolicy): Promise<string> {
	const origin = parseApprovableOrigin(url, policy);
	const current = await listApprovedOrigins(policy);
	if (current.includes(origin)) return origin;
	if (current.length >= MAX_APPROVED_ORIGINS)
		throw new AppError(
			'CSP_ORIGIN_INVALID',
			`You have allowed ${MAX_APPROVED_ORIGINS} connections already. Remove one you no longer use first.`
		);
	await store([...current, origin]);
	return origin;
}

/** Removes `origin` from the list (nothing happens when it is not there). */
export async function revokeOrigin(origin: string, policy: OriginPolicy): Promise<void> {
	const current = await listApprovedOrigins(policy);
	await store(current.filter((entry) => entry !== origin));
}
