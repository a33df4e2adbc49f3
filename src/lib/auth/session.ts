import { AppError } from '../errors';
import { refreshSession } from './flow';
import type { AuthConfig, SessionInfo, StoredSession } from './types';
import { vaultClear, vaultRead, vaultWrite } from './vault';

/**
 * The stored session: read, save, refresh (under a cross-tab lock, because refresh tokens are
 * single use) and clear. No DOM, no Svelte: pages, workers and the service worker use it.
 */

export const SESSION_ID = 'session';
/** Refresh at most this long before the access token expires… */
export const REFRESH_AHEAD_MS = 5 * 60 * 1000;
/** …and at most this share of its lifetime before (a 60 s token: 15 s before it expires). */
export const REFRESH_AHEAD_FRACTION = 0.25;
/** Never refresh sooner than this after a token was issued, whatever its lifetime: no loops. */
export const MIN_REFRESH_INTERVAL_MS = 2_000;
/** Without a refresh token, warn this long before expiry. */
export const WARN_AHEAD_MS = 15 * 60 * 1000;
/** What the user reads when the Hub stops accepting the token (a 401 to a request with it). */
export const SESSION_ENDED_MESSAGE =
	'Your Hugging Face session has ended (Hugging Face no longer accepts it). Please sign in again.';

/**
 * When to refresh: a share of the token's lifetime before expiry (at most REFRESH_AHEAD_MS), not
 * sooner than MIN_REFRESH_INTERVAL_MS after it was issued, and never later than the expiry itself.
 * Null when the token does not expire.
 */
export function refreshDueAt(session: Pick<SessionInfo, 'expiresAt' | 'issuedAt'>): number | null {
	if (session.expiresAt === null) return null;
	const lifetime = Math.max(0, session.expiresAt - session.issuedAt);
	const ahead = Math.min(REFRESH_AHEAD_MS, lifetime * REFRESH_AHEAD_FRACTION);
	const dueAt = Math.max(session.expiresAt - ahead, session.issuedAt + MIN_REFRESH_INTERVAL_MS);
	return Math.min(dueAt, session.expiresAt);
}

/** Name of the channel that tells other tabs the session changed. */
export const AUTH_CHANNEL = 'citrate-auth';
const REFRESH_LOCK = 'citrate-auth-refresh';

function isStoredSession(value: unknown): value is StoredSession {
	const s = value as StoredSession | null;
	return (
		typeof s === 'object' &&
		s !== null &&
		(s.kind === 'oauth' || s.kind === 'pat') &&
		typeof s.accessToken === 'string' &&
		typeof s.user === 'object' &&
		s.user !== null &&
		typeof s.user.username === 'string'
	);
}

/** The stored session or null. Unreadable data clears the vault and throws `AUTH_VAULT_CORRUPT`. */
export async function loadSession(): Promise<StoredSession | null> {
	const value = await vaultRead<unknown>(SESSION_ID);
	if (value === null) return null;
	if (!isStoredSession(value)) {
		await vaultClear();
		throw new AppError(
			'AUTH_VAULT_CORRUPT',
			'Your saved sign-in could not be read, so you have been signed out. Please sign in again.'
		);
	}
	return value;
}

export async function saveSession(session: StoredSession): Promise<void> {
	await vaultWrite(SESSION_ID, session);
	announce();
}

/** Signs out: deletes every vault record (tokens and any in-flight sign-in). */
export async function clearSession(): Promise<void> {
	await vaultClear();
	announce();
}

/** What other tabs hear on the auth channel. */
export interface AuthChannelMessage {
	/** `rejected`: the Hub answered 401 to our token, and the session was ended for it. */
	type: 'changed' | 'corrupt' | 'rejected';
}

function announce(type: AuthChannelMessage['type'] = 'changed'): void {
	if (typeof BroadcastChannel === 'undefined') return;
	const channel = new BroadcastChannel(AUTH_CHANNEL);
	channel.postMessage({ type } satisfies AuthChannelMessage);
	channel.close();
}

export function isExpired(session: StoredSession, now = Date.now()): boolean {
	return session.expiresAt !== null && session.expiresAt <= now;
}

/**
 * The current access token from the vault; null when signed out, expired or unreadable.
 * Works in pages, workers and the service worker. Never logs or throws the token.
 */
export async function readAccessToken(): Promise<string | null> {
	try {
		const session = await loadSession();
		return session && !isExpired(session) ? session.accessToken : null;
	} catch (error) {
		if (AppError.is(error, 'AUTH_VAULT_CORRUPT')) announce('corrupt');
		return null;
	}
}

async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
	const locks = (globalThis.navigator as Navigator | undefined)?.locks;
	if (!locks) return work();
	return locks.request(REFRESH_LOCK, work) as Promise<T>;
}

/**
 * Refreshes the stored session if it is within `aheadMs` of expiry (or `force`). Runs under a
 * Web Lock and re-reads the vault inside it, so two tabs never spend the same refresh token.
 * `AUTH_REFRESH_FAILED` (invalid_grant: revoked or expired) clears the vault before it throws;
 * a network error leaves the session as it was.
 */
export async function refreshStoredSession(
	config: AuthConfig,
	options: { force?: boolean; aheadMs?: number; now?: () => number } = {}
): Promise<StoredSession | null> {
	const now = options.now ?? Date.now;
	return withRefreshLock(async () => {
		const session = await loadSession();
		if (!session || session.kind !== 'oauth' || !session.refreshToken) return session;
		const dueAt =
			options.aheadMs !== undefined && session.expiresAt !== null
				? session.expiresAt - options.aheadMs
				: refreshDueAt({
						expiresAt: session.expiresAt,
						issuedAt: session.issuedAt ?? session.createdAt
					});
		const due = dueAt !== null && now() >= dueAt;
		if (!options.force && !due) return session;
		try {
			const next = await refreshSession(config, session, { now });
			await saveSession(next);
			return next;
		} catch (error) {
			if (AppError.is(error, 'AUTH_REFRESH_FAILED')) await clearSession();
			throw error;
		}
	});
}

/**
 * The Hub answered 401 to a request that carried `token`: if that is still the stored session's
 * access token (not one refreshed meanwhile), the session is over. Clears the vault and tells every
 * tab (this one too) at once. Returns whether it ended the session.
 */
export async function endRejectedSession(token: string): Promise<boolean> {
	return withRefreshLock(async () => {
		const session = await loadSession().catch(() => null);
		if (!session || session.accessToken !== token) return false;
		await vaultClear();
		announce('rejected');
		return true;
	});
}

/** Adds `Authorization` only for requests to the configured Hub origin, and only with a token. */
export function hubAuthHeaders(
	url: string | URL,
	hubUrl: string,
	token: string | null
): Record<string, string> {
	if (!token) return {};
	let target: URL;
	try {
		target = new URL(url, hubUrl);
	} catch {
		return {};
	}
	return target.origin === new URL(hubUrl).origin ? { Authorization: `Bearer ${token}` } : {};
}
