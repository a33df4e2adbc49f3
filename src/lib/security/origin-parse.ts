/**
 * Which origins a user may allow Citrate to connect to at run time (a pinning service, their own
 * IPFS node or relay). The value ends up inside the page's Content-Security-Policy, so it is
 * parsed strictly: https: or wss: only, an exact host (no wildcard, no IPv6 literal, which CSP
 * cannot express), an optional port, no credentials, and nothing CSP or HTML could read as syntax
 * (quotes, `;`, `,`, spaces, `*`, keywords such as 'unsafe-inline', schemes such as data:).
 *
 * Plain http:/ws: is accepted for loopback hosts (127.0.0.0/8, localhost) only when the caller says
 * so: the app does that only in a build whose own Hub is on loopback (tests, local demos), where
 * the build's policy already trusts plain-http loopback services. A production build never does.
 */
import { AppError } from '../errors';

/** How many origins a user may allow at once (each one widens `connect-src`). */
export const MAX_APPROVED_ORIGINS = 32;

export interface OriginPolicy {
	/** Accept http:/ws: on loopback hosts (only in a build whose Hub is on loopback). */
	allowLoopbackHttp: boolean;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST = `${LABEL}(?:\\.${LABEL})*`;
/** A serialized origin that is safe to place in a CSP source list and an HTML attribute. */
const SAFE_ORIGIN = new RegExp(`^(https|wss|http|ws)://(${HOST})(?::(\\d{1,5}))?$`);
/** Characters that could end a source expression, a directive or an attribute, or widen it. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
const HOSTILE = /[\s'"`;,*<>\\^|{}\u0000-\u001f\u007f]/;

/** Whether `host` is a loopback name or an IPv4 loopback address. */
export function isLoopbackHost(host: string): boolean {
	const lower = host.toLowerCase();
	return (
		lower === 'localhost' ||
		lower.endsWith('.localhost') ||
		/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(lower)
	);
}

/** Whether the build talks to its Hub on loopback (then plain-http loopback origins are allowed). */
export function loopbackHttpAllowedFor(hubUrl: string): boolean {
	try {
		const url = new URL(hubUrl);
		return url.protocol === 'http:' && isLoopbackHost(url.hostname);
	} catch {
		return false;
	}
}

/**
 * Whether `origin` is already a safe, serialized origin that the policy allows (the check the
 * service worker repeats on every stored value before it reaches a page's CSP).
 */
export function isApprovableOrigin(origin: string, policy: OriginPolicy): boolean {
	const match = SAFE_ORIGIN.exec(origin);
	if (!match) return false;
	const [, scheme, host, port] = match;
	if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0')))
		return false;
	if (scheme === 'http' || scheme === 'ws')
		return policy.allowLoopbackHttp && isLoopbackHost(host!);
	return true;
}

function refuse(message: string, input: string): AppError {
	return new AppError('CSP_ORIGIN_INVALID', message, { details: { input: input.slice(0, 200) } });
}

/**
 * The origin of `input` (an origin or an endpoint URL such as `https://pins.example.org/api/v1`),
 * or an `AppError` (`CSP_ORIGIN_INVALID`) that says what is wrong in the user's words.
 */
export function parseApprovableOrigin(input: string, policy: OriginPolicy): string {
	const value = input.trim();
	if (!value)
		throw refuse('Enter the address of the service, for example https://pins.example.org.', input);
	if (HOSTILE.test(value))
		throw refuse(
			'That address contains characters an address cannot have (spaces, quotes, ;, commas or *). Enter one address, for example https://pins.example.org.',
			input
		);
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw refuse('That is not a web address. It must start with https:// or wss://.', input);
	}
	const plain = url.protocol === 'http:' || url.protocol === 'ws:';
	if (url.protocol !== 'https:' && url.protocol !== 'wss:' && !plain)
		throw refuse(
			'Only secure addresses can be allowed: they must start with https:// or wss://.',
			input
		);
	if (plain && !(policy.allowLoopbackHttp && isLoopbackHost(url.hostname)))
		throw refuse(
			'Only secure addresses can be allowed: use https:// or wss:// (your node needs TLS).',
			input
		);
	if (url.username || url.password)
		throw refuse('Leave the user name and password out of the address.', input);
	if (url.search || url.hash || value.endsWith('?') || value.endsWith('#'))
		throw refuse('Enter the address without a query or fragment (the part after ? or #).', input);
	if (url.hostname.startsWith('['))
		throw refuse('IPv6 addresses cannot be allowed: use the server’s host name.', input);
	const origin = url.origin;
	if (!isApprovableOrigin(origin, policy))
		throw refuse('That host name is not valid. Use a name such as pins.example.org.', input);
	return origin;
}
