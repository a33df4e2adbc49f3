/**
 * Whether this window is shown inside a frame of another origin. A `<meta>` CSP cannot carry
 * `frame-ancestors` and a host may send no headers, so the app checks for itself and refuses to
 * run its controls there (clickjacking). Same-origin frames (our own pages) are allowed.
 */
export function framedByAnotherOrigin(win: Window): boolean {
	if (win.self === win.top) return false;
	try {
		// Reading another origin's location throws; a same-origin parent reads fine.
		return win.top?.location.origin !== win.location.origin;
	} catch {
		return true;
	}
}
