/**
 * Which addresses the peer may dial. libp2p's default gater refuses every private address (and
 * so the user's own node on the home network, or a test relay); this one allows exactly the
 * hosts the app is configured with (relays, bootstrap peers, the user's nodes) and the hosts of a
 * share link the user opened, refuses other private addresses unless the user allowed the local
 * network, and lets public addresses through (peers found by routing).
 */
export interface GaterPolicy {
	/** Hosts (IP or DNS name) always allowed: configured relays, bootstrap peers, own nodes. */
	allowedHosts: ReadonlySet<string>;
	/** The user allowed devices on the local network. */
	allowPrivate: () => boolean;
}

/** The host of a multiaddr's first component, or undefined (e.g. `/p2p-circuit`). */
export function hostOf(addr: string): { kind: 'ip4' | 'ip6' | 'dns'; host: string } | undefined {
	const match = /^\/(ip4|ip6|dns|dns4|dns6|dnsaddr)\/([^/]+)/.exec(addr);
	if (!match) return undefined;
	const kind = match[1] === 'ip4' ? 'ip4' : match[1] === 'ip6' ? 'ip6' : 'dns';
	return { kind, host: (match[2] as string).toLowerCase() };
}

/** Loopback, private, link-local, CGNAT, documentation and unspecified ranges. */
export function isPrivateHost(kind: 'ip4' | 'ip6' | 'dns', host: string): boolean {
	if (kind === 'dns') return host === 'localhost' || host.endsWith('.local');
	if (kind === 'ip6') {
		const h = host.toLowerCase();
		return (
			h === '::1' ||
			h === '::' ||
			h.startsWith('fc') ||
			h.startsWith('fd') ||
			h.startsWith('fe8') ||
			h.startsWith('fe9') ||
			h.startsWith('fea') ||
			h.startsWith('feb') ||
			h.startsWith('::ffff:')
		);
	}
	const parts = host.split('.').map(Number);
	if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part))) return true;
	const [a, b, c] = parts as [number, number, number, number];
	return (
		a === 0 ||
		a === 10 ||
		a === 127 ||
		(a === 100 && b >= 64 && b <= 127) ||
		(a === 169 && b === 254) ||
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 168) ||
		(a === 192 && b === 0 && c === 2) ||
		(a === 198 && (b === 18 || b === 19)) ||
		(a === 198 && b === 51 && c === 100) ||
		(a === 203 && b === 0 && c === 113) ||
		a >= 224
	);
}

/** True when the policy refuses dialing this multiaddr. */
export function denyDial(policy: GaterPolicy, addr: string): boolean {
	const host = hostOf(addr);
	if (!host) return false;
	if (policy.allowedHosts.has(host.host)) return false;
	if (isPrivateHost(host.kind, host.host)) return !policy.allowPrivate();
	return false;
}

/** The hosts of a list of multiaddrs (for `allowedHosts`). */
export function hostsOf(addrs: readonly string[]): Set<string> {
	const hosts = new Set<string>();
	for (const addr of addrs) {
		const host = hostOf(addr);
		if (host) hosts.add(host.host);
	}
	return hosts;
}

/** True when an http(s) URL's host is private (loopback, LAN, …). */
export function isPrivateUrl(url: string): boolean {
	try {
		const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
		const kind = /^[\d.]+$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns';
		return isPrivateHost(kind, host);
	} catch {
		return false;
	}
}
