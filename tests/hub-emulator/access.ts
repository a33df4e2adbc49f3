/** Who is calling (PAT or OAuth access token) and what they may see, with the Hub's error answers. */
import type { IncomingMessage } from 'node:http';
import type { Repo } from './repo-store';
import type { EmulatorState } from './state';
import { findPat, findUser, type User } from './users';

export type Identity =
	| { kind: 'pat'; user: User; token: string; displayName: string; createdAt: string }
	| {
			kind: 'oauth';
			user: User;
			token: string;
			scopes: Set<string>;
			clientId: string;
			expiresAt: number;
	  };

export interface OAuthTokenInfo {
	accountId: string;
	scope: string;
	clientId: string;
	exp: number;
}

export type OAuthLookup = (token: string) => Promise<OAuthTokenInfo | undefined>;

export type AuthResult = { identity: Identity | null } | { invalid: true };

export async function authenticate(req: IncomingMessage, lookup: OAuthLookup): Promise<AuthResult> {
	const header = req.headers.authorization;
	if (!header) return { identity: null };
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
	if (!match) return { invalid: true };
	const token = match[1]!;
	const pat = findPat(token);
	if (pat) {
		return {
			identity: {
				kind: 'pat',
				user: pat.user,
				token,
				displayName: pat.pat.displayName,
				createdAt: pat.pat.createdAt
			}
		};
	}
	if (token.startsWith('hf_oauth_')) {
		const info = await lookup(token);
		const user = info && findUser(info.accountId);
		if (info && user) {
			return {
				identity: {
					kind: 'oauth',
					user,
					token,
					scopes: new Set(info.scope.split(' ').filter(Boolean)),
					clientId: info.clientId,
					expiresAt: info.exp
				}
			};
		}
	}
	return { invalid: true };
}

export interface Denial {
	status: number;
	message: string;
	code?: string;
	headers?: Record<string, string>;
}

export const INVALID_CREDENTIALS: Denial = {
	status: 401,
	message: 'Invalid credentials in Authorization header'
};

function hasScope(identity: Identity, ...scopes: string[]): boolean {
	return identity.kind === 'pat' || scopes.some((s) => identity.scopes.has(s));
}

function isOwner(repo: Repo, user: User): boolean {
	return repo.meta.owner === user.name || user.orgs.some((o) => o.name === repo.meta.owner);
}

export function canSeeRepo(repo: Repo, identity: Identity | null): boolean {
	if (!repo.meta.private) return true;
	return (
		!!identity &&
		isOwner(repo, identity.user) &&
		hasScope(identity, 'read-repos', 'write-repos', 'manage-repos')
	);
}

export function repoNotFound(identity: Identity | null): Denial {
	// Anonymous callers cannot tell private from missing: the Hub answers 401 for both.
	return identity
		? { status: 404, message: 'Repository not found', code: 'RepoNotFound' }
		: { status: 401, message: 'Invalid username or password.', code: 'RepoNotFound' };
}

/** Files of a gated repo that anyone may read (the card and attributes, as on the Hub). */
const UNGATED_FILES = new Set(['README.md', '.gitattributes']);

/** Access to the bytes of a file (resolve) or to a gated repo as a whole (auth-check). */
export function fileAccess(
	repo: Repo,
	identity: Identity | null,
	state: EmulatorState,
	path: string | null
): Denial | null {
	if (!canSeeRepo(repo, identity)) return repoNotFound(identity);
	if (!repo.meta.gated || (path !== null && UNGATED_FILES.has(path))) return null;
	if (!identity) {
		return {
			status: 401,
			code: 'GatedRepo',
			message: `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
			headers: { 'WWW-Authenticate': 'Bearer realm="Authentication required", charset="UTF-8"' }
		};
	}
	const allowed =
		isOwner(repo, identity.user) ||
		(state.isGranted(repo.id, identity.user.name) && hasScope(identity, 'gated-repos'));
	if (allowed) return null;
	return {
		status: 403,
		code: 'GatedRepo',
		message: `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repo.id} to ask for access.`
	};
}
