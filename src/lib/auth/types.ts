/** What the auth code needs from the app's configuration (a subset of `CitrateConfig`). */
export interface AuthConfig {
	hubUrl: string;
	oauthIssuer: string;
	clientId: string;
	scopes: string[];
}

/** Who is signed in, as shown in the header. Never holds a token. */
export interface UserProfile {
	/** Stable subject id (OIDC `sub` or the Hub's user id). */
	id: string;
	/** The Hub username (`preferred_username`). */
	username: string;
	/** Display name (falls back to the username). */
	name: string;
	/** Absolute avatar URL, or null. */
	avatarUrl: string | null;
	email?: string;
}

export type SessionKind = 'oauth' | 'pat';

/** The signed-in session as stored (encrypted) in the vault. */
export interface StoredSession {
	kind: SessionKind;
	accessToken: string;
	/** Present when the provider granted one; single use, replaced on every refresh. */
	refreshToken: string | null;
	/** Epoch ms when the access token expires; null when unknown (personal access tokens). */
	expiresAt: number | null;
	scopes: string[];
	user: UserProfile;
	/** The issuer (oauth) or Hub origin (pat) the token belongs to. */
	issuer: string;
	createdAt: number;
	/** Epoch ms when the current access token was issued (sign-in or last refresh). */
	issuedAt?: number;
}

/** The same session without its secrets: what the UI and other modules may hold. */
export interface SessionInfo {
	kind: SessionKind;
	user: UserProfile;
	expiresAt: number | null;
	/** When the current access token was issued (its lifetime: `expiresAt - issuedAt`). */
	issuedAt: number;
	canRefresh: boolean;
	scopes: string[];
}

export function toSessionInfo(session: StoredSession): SessionInfo {
	return {
		kind: session.kind,
		user: session.user,
		expiresAt: session.expiresAt,
		issuedAt: session.issuedAt ?? session.createdAt,
		canRefresh: session.refreshToken !== null,
		scopes: session.scopes
	};
}
