/**
 * Reading the page's own CSP, for features whose endpoint the user chooses at run time (a pinning
 * service, a peer): the policy is fixed at build time (csp.config.js) and cannot be widened by the
 * page, so such a feature checks an endpoint here first and, when the policy would block it, asks
 * the user to allow it (approved-origins.ts; the service worker adds it after a reload) instead of
 * a request that fails with a console error.
 */

/** The sources of `directive` in a serialized policy (`default-src` when it is absent). */
export function directiveSources(policy: string, directive: string): string[] | null {
	const parts = policy
		.split(';')
		.map((part) => part.trim().split(/\s+/))
		.filter((words) => words[0]);
	const find = (name: string) => parts.find((words) => words[0]!.toLowerCase() === name);
	const found = find(directive) ?? find('default-src');
	return found ? found.slice(1) : null;
}

/** Whether `url` (absolute) may be fetched under `policy`'s `directive` (CSP source matching). */
export function isAllowedByCsp(
	url: string,
	policy: string,
	directive = 'connect-src',
	self?: string
): boolean {
	const sources = directiveSources(policy, directive);
	if (sources === null) return true;
	let target: URL;
	try {
		target = new URL(url);
	} catch {
		return false;
	}
	return sources.some((source) => {
		const lower = source.toLowerCase();
		if (lower === "'none'") return false;
		if (lower === "'self'") return self !== undefined && target.origin === new URL(self).origin;
		if (/^[a-z][a-z0-9+.-]*:$/.test(lower)) return target.protocol === lower;
		const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([^/:]+)(?::(\d+|\*))?/i.exec(source);
		if (!match) return false;
		const [, scheme, wildcard, host, port] = match;
		if (scheme && `${scheme.toLowerCase()}:` !== target.protocol) return false;
		const hostname = target.hostname.toLowerCase();
		const hostOk = wildcard
			? hostname.endsWith(`.${host!.toLowerCase()}`)
			: hostname === host!.toLowerCase();
		const defaultPort = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' }[
			target.protocol
		];
		const targetPort = target.port || defaultPort;
		const portOk = port === '*' || (port ?? defaultPort) === targetPort;
		return hostOk && portOk;
	});
}

/** The CSP of this page (its `<meta http-equiv>`), or '' when there is none. */
export function pagePolicy(doc: Document): string {
	return (
		doc.querySelector('meta[http-equiv="content-security-policy" i]')?.getAttribute('content') ?? ''
	);
}
