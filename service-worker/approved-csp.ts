/**
 * The user's approved origins in the CSP of the page the service worker serves: index.html's
 * `<meta>` gets them appended to `connect-src` (nothing else changes). The page cannot widen its
 * own policy; the worker that serves it can, from the list the user approved in Settings.
 */
import { config } from '$lib/config';
// The modules themselves, not $lib/security's index: it also exports DOM-only helpers.
import { listApprovedOrigins } from '$lib/security/approved-origins';
import { rewriteCspMeta } from '$lib/security/csp-rewrite';
import { loopbackHttpAllowedFor } from '$lib/security/origin-parse';

const originPolicy = { allowLoopbackHttp: loopbackHttpAllowedFor(config.hubUrl) };

/** `shell` with the approved origins in its CSP; the same response when there are none. */
export async function withApprovedOrigins(shell: Response): Promise<Response> {
	let origins: string[];
	try {
		origins = await listApprovedOrigins(originPolicy);
	} catch {
		return shell; // IndexedDB unavailable: the build's own policy, unchanged.
	}
	if (origins.length === 0 || !shell.ok) return shell;
	const html = await shell.clone().text();
	const rewritten = rewriteCspMeta(html, origins, originPolicy);
	if (rewritten === html) return shell;
	const headers = new Headers(shell.headers);
	headers.delete('content-length');
	headers.delete('content-encoding');
	return new Response(rewritten, { status: shell.status, statusText: shell.statusText, headers });
}
