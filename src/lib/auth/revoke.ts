import * as oauth from 'oauth4webapi';
import { clientOf, discover, httpOptions } from './flow';
import type { AuthConfig, SessionKind, StoredSession } from './types';

/**
 * Ending Citrate's access at the Hub on sign-out: RFC 7009 token revocation when the issuer's
 * OpenID configuration advertises a `revocation_endpoint`; otherwise the page on the Hub where the
 * user revokes it (connected applications for OAuth, access tokens for a pasted token).
 */

export type RevocationOutcome =
	/** The tokens are dead at the Hub. */
	| { kind: 'revoked' }
	/** The Hub offers no revocation to apps (or it is a personal access token): revoke at `url`. */
	| { kind: 'manual'; url: string }
	/** The Hub could not be reached or refused: the access may still be live; revoke at `url`. */
	| { kind: 'failed'; url: string };

/** Where on the Hub the user ends Citrate's access by hand. */
export function revokeAccessUrl(hubUrl: string, kind: SessionKind): string {
	const path = kind === 'pat' ? '/settings/tokens' : '/settings/connected-applications';
	return new URL(path, hubUrl).href;
}

/** Whether the issuer advertises RFC 7009 revocation (false when it cannot be asked). */
export async function revocationSupported(config: AuthConfig): Promise<boolean> {
	if (!config.clientId) return false;
	try {
		return Boolean((await discover(config.oauthIssuer)).revocation_endpoint);
	} catch {
		return false;
	}
}

/**
 * Revokes the session's tokens at the issuer: the refresh token first (the server drops the
 * grant's access tokens with it), then the access token. Never throws; stores nothing.
 */
export async function revokeSession(
	config: AuthConfig,
	session: StoredSession,
	options: { signal?: AbortSignal } = {}
): Promise<RevocationOutcome> {
	const url = revokeAccessUrl(config.hubUrl, session.kind);
	if (session.kind !== 'oauth' || !config.clientId) return { kind: 'manual', url };
	let as: oauth.AuthorizationServer;
	try {
		as = await discover(config.oauthIssuer, options);
	} catch {
		return { kind: 'failed', url };
	}
	if (!as.revocation_endpoint) return { kind: 'manual', url };
	const tokens: [string | null, string][] = [
		[session.refreshToken, 'refresh_token'],
		[session.accessToken, 'access_token']
	];
	try {
		for (const [token, hint] of tokens) {
			if (!token) continue;
			const response = await oauth.revocationRequest(as, clientOf(config), oauth.None(), token, {
				...httpOptions(config.oauthIssuer, options.signal),
				additionalParameters: { token_type_hint: hint }
			});
			await oauth.processRevocationResponse(response);
		}
		return { kind: 'revoked' };
	} catch {
		return { kind: 'failed', url };
	}
}
