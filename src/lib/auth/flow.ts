import * as oauth from 'oauth4webapi';
import { AppError, type ErrorCode } from '../errors';
import type { AuthConfig, StoredSession, UserProfile } from './types';
import { vaultTake, vaultWrite } from './vault';

/**
 * Authorization code + PKCE (S256) + state + nonce with oauth4webapi, as a public client (no
 * secret: `None()` client authentication). Each step is a pure request/process pair; every failure
 * becomes an `AppError` with its own code and a message for the user, and stores nothing.
 */

export const TRANSACTION_ID = 'pkce';
export const TRANSACTION_TTL_MS = 10 * 60 * 1000;

/** The in-flight sign-in, kept encrypted in the vault between the redirect and the callback. */
export interface OAuthTransaction {
	verifier: string;
	state: string;
	nonce: string | null;
	returnTo: string;
	redirectUri: string;
	createdAt: number;
}

export interface FlowOptions {
	signal?: AbortSignal;
	/** The fetch used for the token request (tests route it to a dead port to cut the network). */
	fetch?: typeof fetch;
	/** Clock for tests of expiry; defaults to Date.now. */
	now?: () => number;
}

const MESSAGES = {
	notConfigured:
		'Sign-in with Hugging Face is not set up for this copy of Citrate. Paste a personal access token in Settings instead.',
	network:
		'Could not reach Hugging Face to finish signing in. Check your connection and try again.',
	provider: 'Hugging Face could not complete the sign-in right now. Please try again.',
	accessDenied: 'Sign-in was cancelled: access was not granted to Citrate.',
	stateMismatch:
		'This sign-in response does not match a sign-in started here (possible forgery), so it was ignored. Please sign in again.',
	stateExpired: 'The sign-in took too long and expired. Please sign in again.',
	codeMissing: 'Hugging Face sent back no authorization code. Please sign in again.',
	codeInvalid: 'The authorization code was already used or has expired. Please sign in again.',
	issuer:
		'The sign-in response came from an unexpected server, so it was rejected. Please sign in again.',
	incomplete:
		'The sign-in response from Hugging Face was incomplete (it did not say which server sent it), so it was refused for safety. Please sign in again.',
	idToken:
		'The identity token from Hugging Face did not match this sign-in (wrong nonce, audience or expiry), so it was rejected. Please sign in again.',
	refreshFailed:
		'Your Hugging Face session has ended (it expired or was revoked). Please sign in again.'
} as const;

export const AUTH_MESSAGES = MESSAGES;

function isLoopback(url: URL): boolean {
	return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** oauth4webapi refuses http:// unless told; we only allow it for loopback (emulator, dev). */
export function httpOptions(
	url: string,
	signal?: AbortSignal
): { signal?: AbortSignal; [oauth.allowInsecureRequests]?: boolean } {
	const parsed = new URL(url);
	const insecure = parsed.protocol === 'http:' && isLoopback(parsed);
	return { signal, ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}) };
}

function isNetworkError(error: unknown): boolean {
	return error instanceof TypeError && !(error as { code?: string }).code?.startsWith('ERR_');
}

/** Turns anything oauth4webapi (or fetch) throws into our error codes. */
/**
 * What we keep of a library error as `cause`: its name, code and message only. oauth4webapi
 * attaches response bodies and claims to its errors, and a token must never ride along into a log.
 */
function safeCause(error: unknown): Error {
	if (!(error instanceof Error)) return new Error(String(error));
	const safe = new Error(`${error.name}: ${error.message}`);
	const code = (error as { code?: unknown }).code;
	const oauthError = (error as { error?: unknown }).error;
	return Object.assign(safe, {
		...(typeof code === 'string' ? { code } : {}),
		...(typeof oauthError === 'string' ? { error: oauthError } : {})
	});
}

export function mapOAuthError(
	error: unknown,
	fallback: ErrorCode = 'AUTH_PROVIDER_ERROR'
): AppError {
	if (error instanceof AppError) return error;
	if (error instanceof DOMException && error.name === 'AbortError')
		return new AppError('ABORTED', 'Sign-in was cancelled.', { cause: safeCause(error) });
	if (isNetworkError(error))
		return new AppError('AUTH_NETWORK', MESSAGES.network, { cause: safeCause(error) });
	if (error instanceof oauth.AuthorizationResponseError) {
		if (error.error === 'access_denied')
			return new AppError('AUTH_ACCESS_DENIED', MESSAGES.accessDenied, { cause: safeCause(error) });
		return new AppError(
			'AUTH_PROVIDER_ERROR',
			`Hugging Face refused the sign-in (${error.error}). Please try again.`,
			{ cause: safeCause(error) }
		);
	}
	if (error instanceof oauth.ResponseBodyError) {
		if (error.error === 'invalid_grant')
			return fallback === 'AUTH_REFRESH_FAILED'
				? new AppError('AUTH_REFRESH_FAILED', MESSAGES.refreshFailed, { cause: safeCause(error) })
				: new AppError('AUTH_CODE_INVALID', MESSAGES.codeInvalid, { cause: safeCause(error) });
		if (fallback === 'AUTH_REFRESH_FAILED' && error.status < 500)
			return new AppError('AUTH_REFRESH_FAILED', MESSAGES.refreshFailed, {
				cause: safeCause(error)
			});
		return new AppError('AUTH_PROVIDER_ERROR', MESSAGES.provider, { cause: safeCause(error) });
	}
	if (error instanceof oauth.OperationProcessingError) {
		const cause = (error.cause ?? {}) as { claim?: string; attribute?: string };
		if (error.code === oauth.JSON_ATTRIBUTE_COMPARISON && cause.attribute === 'issuer')
			return new AppError('AUTH_ISSUER_MISMATCH', MESSAGES.issuer, { cause: safeCause(error) });
		if (error.code === oauth.JWT_CLAIM_COMPARISON && cause.claim === 'iss')
			return new AppError('AUTH_ISSUER_MISMATCH', MESSAGES.issuer, { cause: safeCause(error) });
		if (error.code === oauth.JWT_CLAIM_COMPARISON || error.code === oauth.JWT_TIMESTAMP_CHECK)
			return new AppError('AUTH_ID_TOKEN_INVALID', MESSAGES.idToken, { cause: safeCause(error) });
		if (error.code === oauth.RESPONSE_IS_NOT_CONFORM && fallback === 'AUTH_REFRESH_FAILED') {
			const status = (error.cause as Response | undefined)?.status ?? 500;
			if (status >= 400 && status < 500)
				return new AppError('AUTH_REFRESH_FAILED', MESSAGES.refreshFailed, {
					cause: safeCause(error)
				});
		}
	}
	return new AppError(
		fallback,
		fallback === 'AUTH_REFRESH_FAILED' ? MESSAGES.refreshFailed : MESSAGES.provider,
		{
			cause: safeCause(error)
		}
	);
}

const discoveries = new Map<string, Promise<oauth.AuthorizationServer>>();

/** The issuer's metadata (cached per realm on success). Its `issuer` must equal the configured one. */
export function discover(
	issuer: string,
	options: FlowOptions = {}
): Promise<oauth.AuthorizationServer> {
	let pending = discoveries.get(issuer);
	if (!pending) {
		pending = (async () => {
			const url = new URL(issuer);
			const response = await oauth.discoveryRequest(url, {
				algorithm: 'oidc',
				...httpOptions(issuer, options.signal)
			});
			return oauth.processDiscoveryResponse(url, response);
		})().catch((error: unknown) => {
			discoveries.delete(issuer);
			throw mapOAuthError(error);
		});
		discoveries.set(issuer, pending);
	}
	return pending;
}

export function clientOf(config: AuthConfig): oauth.Client {
	if (!config.clientId) throw new AppError('AUTH_NOT_CONFIGURED', MESSAGES.notConfigured);
	return { client_id: config.clientId, token_endpoint_auth_method: 'none' };
}

function wantsOpenId(config: AuthConfig): boolean {
	return config.scopes.includes('openid');
}

/** Only same-origin paths: never an open redirect to another site after sign-in. */
export function safeReturnTo(path: string | null | undefined): string {
	if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
	if (path.startsWith('/auth/callback')) return '/';
	return path;
}

/**
 * Starts a sign-in: creates and stores (encrypted, single use) the PKCE verifier, state and nonce,
 * and returns the authorize URL to navigate to with a full-page redirect.
 */
export async function beginSignIn(
	config: AuthConfig,
	params: { redirectUri: string; returnTo: string },
	options: FlowOptions = {}
): Promise<URL> {
	const client = clientOf(config);
	const as = await discover(config.oauthIssuer, options);
	if (!as.authorization_endpoint)
		throw new AppError('AUTH_PROVIDER_ERROR', MESSAGES.provider, {
			details: { reason: 'no authorization_endpoint' }
		});
	const verifier = oauth.generateRandomCodeVerifier();
	const state = oauth.generateRandomState();
	const nonce = wantsOpenId(config) ? oauth.generateRandomNonce() : null;
	const transaction: OAuthTransaction = {
		verifier,
		state,
		nonce,
		returnTo: safeReturnTo(params.returnTo),
		redirectUri: params.redirectUri,
		createdAt: (options.now ?? Date.now)()
	};
	await vaultWrite(TRANSACTION_ID, transaction);
	const url = new URL(as.authorization_endpoint);
	url.searchParams.set('client_id', client.client_id);
	url.searchParams.set('redirect_uri', params.redirectUri);
	url.searchParams.set('response_type', 'code');
	url.searchParams.set('scope', config.scopes.join(' '));
	url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
	url.searchParams.set('code_challenge_method', 'S256');
	url.searchParams.set('state', state);
	if (nonce) url.searchParams.set('nonce', nonce);
	return url;
}

/** Takes (and so consumes) the stored transaction; missing or expired ones are errors. */
export async function takeTransaction(options: FlowOptions = {}): Promise<OAuthTransaction> {
	const transaction = await vaultTake<OAuthTransaction>(TRANSACTION_ID);
	if (!transaction) throw new AppError('AUTH_STATE_MISMATCH', MESSAGES.stateMismatch);
	const age = (options.now ?? Date.now)() - transaction.createdAt;
	if (!(age >= 0 && age <= TRANSACTION_TTL_MS))
		throw new AppError('AUTH_STATE_EXPIRED', MESSAGES.stateExpired);
	return transaction;
}

/** Checks the callback's parameters (issuer, state, error, code) against the transaction. */
export function validateCallback(
	as: oauth.AuthorizationServer,
	client: oauth.Client,
	callbackUrl: URL,
	transaction: OAuthTransaction
): URLSearchParams {
	const params = callbackUrl.searchParams;
	const iss = params.get('iss');
	// RFC 9207: an issuer that sends `iss` always does; a response without it may be a mix-up.
	if (iss === null && as.authorization_response_iss_parameter_supported === true)
		throw new AppError('AUTH_RESPONSE_INCOMPLETE', MESSAGES.incomplete);
	if (iss !== null && iss !== as.issuer)
		throw new AppError('AUTH_ISSUER_MISMATCH', MESSAGES.issuer);
	if (params.get('state') !== transaction.state)
		throw new AppError('AUTH_STATE_MISMATCH', MESSAGES.stateMismatch);
	let validated: URLSearchParams;
	try {
		validated = oauth.validateAuthResponse(as, client, params, transaction.state);
	} catch (error) {
		throw mapOAuthError(error);
	}
	if (!validated.get('code')) throw new AppError('AUTH_CODE_MISSING', MESSAGES.codeMissing);
	return validated;
}

async function fetchOidcProfile(
	as: oauth.AuthorizationServer,
	client: oauth.Client,
	accessToken: string,
	subject: string | typeof oauth.skipSubjectCheck,
	config: AuthConfig,
	options: FlowOptions
): Promise<UserProfile> {
	const response = await oauth.userInfoRequest(
		as,
		client,
		accessToken,
		httpOptions(config.oauthIssuer, options.signal)
	);
	const info = await oauth.processUserInfoResponse(as, client, subject, response);
	return profileFromUserInfo(info, config.hubUrl);
}

function absoluteUrl(value: unknown, base: string): string | null {
	if (typeof value !== 'string' || !value) return null;
	try {
		const url = new URL(value, base);
		return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
	} catch {
		return null;
	}
}

export function profileFromUserInfo(info: oauth.UserInfoResponse, hubUrl: string): UserProfile {
	const username = String(info.preferred_username ?? info.name ?? info.sub);
	return {
		id: info.sub,
		username,
		name: typeof info.name === 'string' && info.name ? info.name : username,
		avatarUrl: absoluteUrl(info.picture, hubUrl),
		...(typeof info.email === 'string' ? { email: info.email } : {})
	};
}

/** Hub `whoami-v2` answer (the fields we use). */
export interface WhoAmI {
	type?: string;
	id?: string;
	name?: string;
	fullname?: string;
	avatarUrl?: string;
	email?: string;
}

export function profileFromWhoAmI(who: WhoAmI, hubUrl: string): UserProfile {
	const username = String(who.name ?? '');
	return {
		id: String(who.id ?? username),
		username,
		name: who.fullname || username,
		avatarUrl: absoluteUrl(who.avatarUrl, hubUrl),
		...(who.email ? { email: who.email } : {})
	};
}

/** Asks the Hub who a token belongs to. 401/403 → `AUTH_TOKEN_REJECTED`. */
export async function whoAmI(
	hubUrl: string,
	token: string,
	options: FlowOptions = {}
): Promise<UserProfile> {
	let response: Response;
	try {
		response = await fetch(new URL('/api/whoami-v2', hubUrl), {
			headers: { Authorization: `Bearer ${token}` },
			credentials: 'omit',
			signal: options.signal
		});
	} catch (error) {
		throw mapOAuthError(error);
	}
	if (response.status === 401 || response.status === 403)
		throw new AppError(
			'AUTH_TOKEN_REJECTED',
			'Hugging Face did not accept this token (it is wrong, expired or revoked).'
		);
	if (!response.ok)
		throw new AppError('AUTH_PROVIDER_ERROR', MESSAGES.provider, {
			details: { status: response.status }
		});
	const body = (await response.json().catch(() => null)) as WhoAmI | null;
	if (!body || typeof body.name !== 'string' || !body.name)
		throw new AppError('AUTH_PROVIDER_ERROR', MESSAGES.provider, {
			details: { reason: 'whoami-v2 answered without a name' }
		});
	return profileFromWhoAmI(body, hubUrl);
}

function expiresAtOf(response: oauth.TokenEndpointResponse, now: number): number | null {
	return typeof response.expires_in === 'number' && response.expires_in > 0
		? now + response.expires_in * 1000
		: null;
}

function grantedScopes(response: oauth.TokenEndpointResponse, requested: string[]): string[] {
	return typeof response.scope === 'string' ? response.scope.split(' ').filter(Boolean) : requested;
}

/**
 * Finishes a sign-in from the callback URL: consumes the transaction, checks state/issuer, trades
 * the code (PKCE verifier, no secret), validates the ID token (issuer, audience, nonce, expiry) and
 * fetches the profile. Returns the session to store; stores nothing itself.
 */
export async function completeSignIn(
	config: AuthConfig,
	callbackUrl: URL,
	options: FlowOptions = {}
): Promise<{ session: StoredSession; returnTo: string }> {
	const client = clientOf(config);
	const transaction = await takeTransaction(options);
	try {
		return await exchange(config, client, transaction, callbackUrl, options);
	} catch (error) {
		// Keep where the user was, so "Try again" can bring them back there.
		const appError = mapOAuthError(error);
		throw new AppError(appError.code, appError.message, {
			cause: appError.cause,
			details: { ...appError.details, returnTo: transaction.returnTo }
		});
	}
}

/** The code-for-tokens request (public client: no secret, PKCE verifier). */
export async function requestTokens(
	config: AuthConfig,
	as: oauth.AuthorizationServer,
	params: URLSearchParams,
	transaction: OAuthTransaction,
	options: FlowOptions = {}
): Promise<Response> {
	try {
		return await oauth.authorizationCodeGrantRequest(
			as,
			clientOf(config),
			oauth.None(),
			params,
			transaction.redirectUri,
			transaction.verifier,
			{
				...httpOptions(config.oauthIssuer, options.signal),
				...(options.fetch ? { [oauth.customFetch]: options.fetch } : {})
			}
		);
	} catch (error) {
		throw mapOAuthError(error);
	}
}

/** Validates the token response and its ID token (issuer, audience = our client, nonce, expiry). */
export async function processTokens(
	config: AuthConfig,
	as: oauth.AuthorizationServer,
	response: Response,
	transaction: OAuthTransaction
): Promise<oauth.TokenEndpointResponse> {
	let tokens: oauth.TokenEndpointResponse;
	try {
		tokens = await oauth.processAuthorizationCodeResponse(as, clientOf(config), response, {
			expectedNonce: transaction.nonce ?? oauth.expectNoNonce,
			requireIdToken: transaction.nonce !== null
		});
	} catch (error) {
		throw mapOAuthError(error);
	}
	if (tokens.token_type !== 'bearer')
		throw new AppError('AUTH_PROVIDER_ERROR', MESSAGES.provider, {
			details: { reason: 'unsupported token type' }
		});
	return tokens;
}

async function exchange(
	config: AuthConfig,
	client: oauth.Client,
	transaction: OAuthTransaction,
	callbackUrl: URL,
	options: FlowOptions
): Promise<{ session: StoredSession; returnTo: string }> {
	const as = await discover(config.oauthIssuer, options);
	const params = validateCallback(as, client, callbackUrl, transaction);
	const response = await requestTokens(config, as, params, transaction, options);
	const tokens = await processTokens(config, as, response, transaction);
	const now = (options.now ?? Date.now)();
	const claims = oauth.getValidatedIdTokenClaims(tokens);
	let user: UserProfile;
	try {
		user =
			claims && as.userinfo_endpoint
				? await fetchOidcProfile(as, client, tokens.access_token, claims.sub, config, options)
				: await whoAmI(config.hubUrl, tokens.access_token, options);
	} catch (error) {
		throw mapOAuthError(error);
	}
	return {
		returnTo: transaction.returnTo,
		session: {
			kind: 'oauth',
			accessToken: tokens.access_token,
			refreshToken: tokens.refresh_token ?? null,
			expiresAt: expiresAtOf(tokens, now),
			scopes: grantedScopes(tokens, config.scopes),
			user,
			issuer: as.issuer,
			createdAt: now,
			issuedAt: now
		}
	};
}

/**
 * Trades the session's refresh token for new tokens (the provider rotates it: the old one is dead
 * after this). `invalid_grant` and other refusals → `AUTH_REFRESH_FAILED`; no network →
 * `AUTH_NETWORK` (the session is still valid until it expires).
 */
export async function refreshSession(
	config: AuthConfig,
	session: StoredSession,
	options: FlowOptions = {}
): Promise<StoredSession> {
	if (!session.refreshToken)
		throw new AppError('AUTH_REFRESH_FAILED', MESSAGES.refreshFailed, {
			details: { reason: 'no refresh token' }
		});
	const client = clientOf(config);
	const as = await discover(config.oauthIssuer, options);
	let tokens: oauth.TokenEndpointResponse;
	try {
		const response = await oauth.refreshTokenGrantRequest(
			as,
			client,
			oauth.None(),
			session.refreshToken,
			httpOptions(config.oauthIssuer, options.signal)
		);
		tokens = await oauth.processRefreshTokenResponse(as, client, response);
	} catch (error) {
		throw mapOAuthError(error, 'AUTH_REFRESH_FAILED');
	}
	const now = (options.now ?? Date.now)();
	return {
		...session,
		accessToken: tokens.access_token,
		// Rotation: keep the new one; a provider that does not rotate keeps the old one valid.
		refreshToken: tokens.refresh_token ?? session.refreshToken,
		expiresAt: expiresAtOf(tokens, now),
		issuedAt: now,
		scopes: grantedScopes(tokens, session.scopes)
	};
}

/** Personal access tokens: `hf_` and at least 30 letters/digits. */
export const PAT_PATTERN = /^hf_[A-Za-z0-9]{30,}$/;

/** Checks a pasted personal access token's format and asks the Hub whose it is. */
export async function validatePersonalToken(
	config: AuthConfig,
	pasted: string,
	options: FlowOptions = {}
): Promise<StoredSession> {
	const token = pasted.trim();
	if (!PAT_PATTERN.test(token))
		throw new AppError(
			'AUTH_TOKEN_MALFORMED',
			'That does not look like a Hugging Face access token: it should start with "hf_" followed by at least 30 letters and digits.'
		);
	const user = await whoAmI(config.hubUrl, token, options);
	return {
		kind: 'pat',
		accessToken: token,
		refreshToken: null,
		expiresAt: null,
		scopes: [],
		user,
		issuer: new URL(config.hubUrl).origin,
		createdAt: (options.now ?? Date.now)()
	};
}
