import { createContext } from 'svelte';
import {
	AUTH_CHANNEL,
	SESSION_ENDED_MESSAGE,
	WARN_AHEAD_MS,
	beginSignIn,
	clearSession,
	completeSignIn,
	loadSession,
	refreshDueAt,
	refreshStoredSession,
	revocationSupported,
	revokeAccessUrl,
	revokeSession,
	safeReturnTo,
	saveSession,
	toSessionInfo,
	validatePersonalToken,
	type AuthChannelMessage,
	type AuthConfig,
	type RevocationOutcome,
	type SessionInfo,
	type StoredSession,
	type UserProfile
} from '$lib/auth';
import { AppError, toAppError } from '$lib/errors';
import { idbHubCache } from '$lib/hub/cache';

export type AuthStatus = 'loading' | 'signed-out' | 'signed-in';

/** Browser bits the store needs, injectable for tests. */
export interface AuthEnvironment {
	/** Full-page navigation to the authorize endpoint. */
	navigate(url: string): void;
	/** The app's origin (for the redirect URI). */
	origin(): string;
	/** Where the user is now (path + query + hash), to come back to after sign-in. */
	currentPath(): string;
}

const browserEnvironment: AuthEnvironment = {
	navigate: (url) => window.location.assign(url),
	origin: () => window.location.origin,
	currentPath: () => window.location.pathname + window.location.search + window.location.hash
};

const SESSION_EXPIRED_MESSAGE = 'Your Hugging Face session has expired. Please sign in again.';
/** How long sign-out waits for the Hub to revoke the tokens. */
const REVOKE_TIMEOUT_MS = 10_000;
/** setTimeout's largest delay. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The signed-in user, for the UI. Holds no token: tokens live only in the encrypted vault and are
 * read where a request is made. Refreshes ahead of expiry when a refresh token exists, otherwise
 * warns before expiry; keeps other tabs in sync over a BroadcastChannel.
 */
export class AuthStore {
	readonly config: AuthConfig;
	#env: AuthEnvironment;
	#status = $state<AuthStatus>('loading');
	#session = $state<SessionInfo | null>(null);
	#error = $state<AppError | null>(null);
	#busy = $state(false);
	#expiringSoon = $state(false);
	#revocation = $state<RevocationOutcome | null>(null);
	#revocationAvailable = $state<boolean | null>(null);
	#timers: ReturnType<typeof setTimeout>[] = [];
	#channel: BroadcastChannel | null = null;

	constructor(config: AuthConfig, env: AuthEnvironment = browserEnvironment) {
		this.config = config;
		this.#env = env;
	}

	get status(): AuthStatus {
		return this.#status;
	}
	get signedIn(): boolean {
		return this.#status === 'signed-in';
	}
	get session(): SessionInfo | null {
		return this.#session;
	}
	get user(): UserProfile | null {
		return this.#session?.user ?? null;
	}
	/** The last sign-in problem, with its user-facing message; null when none. */
	get error(): AppError | null {
		return this.#error;
	}
	/** True while a sign-in, token check, refresh or sign-out runs. */
	get busy(): boolean {
		return this.#busy;
	}
	/** The session ends soon and cannot be refreshed: offer to sign in again. */
	get expiringSoon(): boolean {
		return this.#expiringSoon;
	}
	/** What the last sign-out did at the Hub (revoked, or where the user must revoke); null before. */
	get revocation(): RevocationOutcome | null {
		return this.#revocation;
	}
	/** Whether sign-out can revoke this session at the Hub; null while unknown. */
	get revocationAvailable(): boolean | null {
		return this.#revocationAvailable;
	}
	/** Where on the Hub the user revokes this session's access by hand. */
	get revokeAccessUrl(): string {
		return revokeAccessUrl(this.config.hubUrl, this.#session?.kind ?? 'oauth');
	}
	/** Whether an OAuth app is configured (otherwise only the token path works). */
	get oauthConfigured(): boolean {
		return this.config.clientId !== '';
	}
	get redirectUri(): string {
		return `${this.#env.origin()}/auth/callback`;
	}

	/** Loads the stored session and starts listening to other tabs. Call once from the layout. */
	async init(): Promise<void> {
		if (!this.#channel && typeof BroadcastChannel !== 'undefined') {
			this.#channel = new BroadcastChannel(AUTH_CHANNEL);
			this.#channel.onmessage = (event: MessageEvent<AuthChannelMessage>) => {
				if (event.data?.type === 'rejected') {
					// The Hub answered 401 to our token: the vault is already cleared.
					this.#setSignedOut(new AppError('AUTH_SESSION_ENDED', SESSION_ENDED_MESSAGE));
					return;
				}
				void this.#reload(event.data?.type === 'corrupt');
			};
		}
		await this.#reload(false);
	}

	async #reload(fromCorruptNotice: boolean): Promise<void> {
		try {
			const stored = await loadSession();
			if (stored && stored.expiresAt !== null && stored.expiresAt <= Date.now()) {
				if (stored.refreshToken) {
					await this.#refresh(false);
					return;
				}
				await clearSession();
				this.#setSignedOut(new AppError('AUTH_SESSION_EXPIRED', SESSION_EXPIRED_MESSAGE));
				return;
			}
			if (stored) this.#setSignedIn(stored);
			else
				this.#setSignedOut(
					fromCorruptNotice
						? new AppError(
								'AUTH_VAULT_CORRUPT',
								'Your saved sign-in could not be read, so you have been signed out. Please sign in again.'
							)
						: null
				);
		} catch (error) {
			this.#setSignedOut(toAppError(error));
		}
	}

	#setSignedIn(stored: StoredSession): void {
		this.#session = toSessionInfo(stored);
		this.#status = 'signed-in';
		this.#error = null;
		this.#revocation = null;
		this.#schedule();
		if (stored.kind === 'pat') this.#revocationAvailable = false;
		else void revocationSupported(this.config).then((yes) => (this.#revocationAvailable = yes));
	}

	#setSignedOut(error: AppError | null): void {
		const wasSignedIn = this.#status === 'signed-in';
		this.#clearTimers();
		this.#session = null;
		this.#status = 'signed-out';
		this.#expiringSoon = false;
		if (error) this.#error = error;
		// What was fetched with the token (gated/private model info, cards, headers) goes with it.
		if (wasSignedIn) void idbHubCache.dropTokenEntries().catch(() => undefined);
	}

	#clearTimers(): void {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers = [];
	}

	#at(when: number, run: () => void): void {
		const delay = Math.min(Math.max(0, when - Date.now()), MAX_DELAY_MS);
		this.#timers.push(setTimeout(run, delay));
	}

	#schedule(): void {
		this.#clearTimers();
		const session = this.#session;
		this.#expiringSoon = false;
		if (!session || session.expiresAt === null) return;
		const expiresAt = session.expiresAt;
		const refreshAt = refreshDueAt(session);
		if (session.canRefresh && refreshAt !== null) {
			this.#at(refreshAt, () => void this.#refresh(false));
			return;
		}
		this.#at(expiresAt - WARN_AHEAD_MS, () => {
			this.#expiringSoon = true;
		});
		this.#at(expiresAt, () => {
			void clearSession().then(() =>
				this.#setSignedOut(new AppError('AUTH_SESSION_EXPIRED', SESSION_EXPIRED_MESSAGE))
			);
		});
	}

	async #refresh(force: boolean): Promise<void> {
		try {
			const next = await refreshStoredSession(this.config, { force });
			if (next) this.#setSignedIn(next);
			else this.#setSignedOut(null);
		} catch (error) {
			const appError = toAppError(error);
			if (appError.code === 'AUTH_REFRESH_FAILED' || appError.code === 'AUTH_VAULT_CORRUPT') {
				// Revoked, expired or unreadable: the vault is already cleared.
				this.#setSignedOut(appError);
				return;
			}
			// Offline or the provider is having trouble: keep the session and try again shortly.
			const stored = await loadSession().catch(() => null);
			if (!stored) {
				this.#setSignedOut(appError);
				return;
			}
			this.#session = toSessionInfo(stored);
			this.#status = 'signed-in';
			if (stored.expiresAt !== null && stored.expiresAt <= Date.now()) this.#error = appError;
			this.#clearTimers();
			this.#at(Date.now() + 60_000, () => void this.#refresh(false));
		}
	}

	/** Refreshes now (when a refresh token exists). */
	async refresh(): Promise<void> {
		this.#busy = true;
		try {
			await this.#refresh(true);
		} finally {
			this.#busy = false;
		}
	}

	/**
	 * Starts signing in with a full-page redirect; returns to `returnTo` (default: where the user
	 * is now) afterwards.
	 */
	async signIn(returnTo: string = this.#env.currentPath()): Promise<void> {
		this.#error = null;
		this.#busy = true;
		try {
			const url = await beginSignIn(this.config, {
				redirectUri: this.redirectUri,
				returnTo: safeReturnTo(returnTo)
			});
			this.#env.navigate(url.href);
		} catch (error) {
			this.#error = toAppError(error);
			this.#busy = false;
		}
	}

	/**
	 * Finishes the sign-in on /auth/callback. Returns the path to go back to, or null on failure
	 * (then `error` says why, and nothing was stored).
	 */
	async completeCallback(callbackUrl: URL): Promise<string | null> {
		this.#error = null;
		this.#busy = true;
		try {
			const { session, returnTo } = await completeSignIn(this.config, callbackUrl);
			await saveSession(session);
			this.#setSignedIn(session);
			return returnTo;
		} catch (error) {
			this.#error = toAppError(error);
			if (this.#status === 'loading') await this.#reload(false);
			return null;
		} finally {
			this.#busy = false;
		}
	}

	/** Signs in with a pasted personal access token (checked with whoami-v2). */
	async signInWithToken(pasted: string): Promise<boolean> {
		this.#error = null;
		this.#busy = true;
		try {
			const session = await validatePersonalToken(this.config, pasted);
			await saveSession(session);
			this.#setSignedIn(session);
			return true;
		} catch (error) {
			this.#error = toAppError(error);
			return false;
		} finally {
			this.#busy = false;
		}
	}

	/**
	 * Signs out: clears the vault, every copy in memory and every Hub response cached with the
	 * token, then revokes the tokens at the Hub where it offers that (`revocation` says what
	 * happened, and where to revoke by hand otherwise).
	 */
	async signOut(): Promise<void> {
		this.#busy = true;
		try {
			const stored = await loadSession().catch(() => null);
			await clearSession();
			this.#error = null;
			this.#setSignedOut(null);
			await idbHubCache.dropTokenEntries().catch(() => undefined);
			if (stored)
				this.#revocation = await revokeSession(this.config, stored, {
					signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS)
				});
		} catch (error) {
			this.#error = toAppError(error);
		} finally {
			this.#busy = false;
		}
	}

	dismissError(): void {
		this.#error = null;
	}

	destroy(): void {
		this.#clearTimers();
		this.#channel?.close();
		this.#channel = null;
	}
}

/** `getAuth()` in components; the root layout calls `setAuth(new AuthStore(config))`. */
export const [getAuth, setAuth] = createContext<AuthStore>();
