import { AppError } from '../errors';

/** `owner/name` as the Hub allows it (letters, digits, `-`, `_`, `.`; no `--` or `..`). */
const REPO_ID_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?\/[A-Za-z0-9._-]{1,96}$/;

export function isValidRepoId(id: string): boolean {
	return REPO_ID_RE.test(id) && !id.includes('..') && !id.includes('--') && !id.endsWith('.git');
}

export function assertRepoId(id: string): string {
	if (!isValidRepoId(id))
		throw new AppError('HUB_INVALID_REPO_ID', `“${id}” is not a model id of the form owner/name.`, {
			details: { id }
		});
	return id;
}

/** Encodes each segment of a repo file path (keeps the slashes). */
export function encodePath(path: string): string {
	return path
		.split('/')
		.map((segment) => encodeURIComponent(segment))
		.join('/');
}

/** Revisions (branch, tag or commit) go into one URL segment. */
export function encodeRevision(revision: string): string {
	return encodeURIComponent(revision);
}
