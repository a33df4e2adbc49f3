/**
 * Cross-origin isolation from the service worker: a static host may not send COOP/COEP, so the
 * worker adds them to what it serves. `credentialless` (not `require-corp`) keeps cross-origin
 * images (Hub avatars) and CORS requests to the Hub working without CORP headers on their side.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'credentialless',
	'Cross-Origin-Resource-Policy': 'same-origin'
};

/** A copy of `response` with the isolation headers; opaque and error responses pass unchanged. */
export function withIsolationHeaders(response: Response): Response {
	if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.type === 'error')
		return response;
	// 1xx/204/205/304 cannot carry a body, and status 0 cannot be constructed.
	if (response.status < 200 || response.status > 599) return response;
	const headers = new Headers(response.headers);
	let changed = false;
	for (const [name, value] of Object.entries(ISOLATION_HEADERS)) {
		if (headers.get(name) === value) continue;
		headers.set(name, value);
		changed = true;
	}
	if (!changed && !response.redirected) return response;
	const nullBody = [204, 205, 304].includes(response.status);
	return new Response(nullBody ? null : response.body, {
		status: response.status,
		statusText: response.statusText,
		headers
	});
}
