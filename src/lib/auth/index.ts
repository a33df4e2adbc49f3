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
	REFRESH_AHEAD_MS,
	WARN_AHEAD_MS,
	clearSession,
	hubAuthHeaders,
	isExpired,
	loadSession,
	readAccessToken,
	refreshStoredSession,
	saveSession,
	type AuthChannelMessage
} from './session';
export { VAULT_CORRUPT_MESSAGE } from './vault';
export {
	toSessionInfo,
	type AuthConfig,
	type SessionInfo,
	type SessionKind,
	type StoredSession,
	type UserProfile
} from './types';
