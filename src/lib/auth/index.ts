/**
 * Sign-in with Hugging Face: OAuth authorization code + PKCE in the browser (oauth4webapi), an
 * encrypted token vault (AES-GCM, non-extractable key in IndexedDB), refresh, personal access
 * tokens. No DOM and no Svelte: usable from pages, workers and the service worker.
 */
export {
	AUTH_MESSAGES,
	PAT_PATTERN,
	TRANSACTION_TTL_MS,
	beginSignIn,
	completeSignIn,
	discover,
	safeReturnTo,
	validatePersonalToken,
	whoAmI,
	type OAuthTransaction
} from './flow';
export {
	AUTH_CHANNEL,
	MIN_REFRESH_INTERVAL_MS,
	REFRESH_AHEAD_FRACTION,
	REFRESH_AHEAD_MS,
	SESSION_ENDED_MESSAGE,
	WARN_AHEAD_MS,
	clearSession,
	endRejectedSession,
	refreshDueAt,
	hubAuthHeaders,
	isExpired,
	loadSession,
	readAccessToken,
	refreshStoredSession,
	saveSession,
	type AuthChannelMessage
} from './session';
export {
	revocationSupported,
	revokeAccessUrl,
	revokeSession,
	type RevocationOutcome
} from './revoke';
export { VAULT_CORRUPT_MESSAGE } from './vault';
export {
	toSessionInfo,
	type AuthConfig,
	type SessionInfo,
	type SessionKind,
	type StoredSession,
	type UserProfile
} from './types';
