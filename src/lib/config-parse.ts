import { AppError } from './errors';

export interface CitrateConfig {
	/** Origin of the Hub's REST and resolve endpoints, without a trailing slash. */
	hubUrl: string;
	/** OpenID issuer for sign-in. */
	oauthIssuer: string;
	/** OAuth client id; empty when no OAuth app is configured (token paste only). */
	clientId: string;
	scopes: string[];
	ipfsGateways: string[];
	/** Circuit-relay-v2 relays (multiaddrs) the peer reserves a slot on, to be reachable. */
	ipfsRelays: string[];
	/** Peers (multiaddrs) the peer connects to for the public network. */
	ipfsBootstrap: string[];
	/** Delegated routing (HTTP routing v1) endpoints. */
	ipfsRouters: string[];
}

export interface RawConfig {
	PUBLIC_HF_HUB_URL?: string;
	PUBLIC_HF_OAUTH_ISSUER?: string;
	PUBLIC_HF_CLIENT_ID?: string;
	PUBLIC_HF_SCOPES?: string;
	PUBLIC_IPFS_GATEWAYS?: string;
	PUBLIC_IPFS_RELAYS?: string;
	PUBLIC_IPFS_BOOTSTRAP?: string;
	PUBLIC_IPFS_ROUTERS?: string;
}

export const DEFAULT_HUB_URL = 'https://huggingface.co';
export const DEFAULT_SCOPES = 'openid profile gated-repos';
/** The public IPFS bootstrap peers (they also run circuit relay v2, with its default limits). */
export const DEFAULT_IPFS_BOOTSTRAP = [
	'/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN',
	'/dnsaddr/bootstrap.libp2p.io/p2p/QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa',
	'/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb',
	'/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt'
];
export const DEFAULT_IPFS_ROUTERS = ['https://delegated-ipfs.dev'];

/** A list variable: unset or empty → the defaults; `none` → nothing. */
function list(value: string | undefined, defaults: string[]): string[] {
	const text = value?.trim() ?? '';
	if (text === '') return defaults;
	if (text === 'none') return [];
	return text.split(/[\s,]+/).filter(Boolean);
}

function parseMultiaddrs(name: string, values: string[]): string[] {
	for (const value of values)
		if (!/^\/(ip4|ip6|dns|dns4|dns6|dnsaddr)\/[^/]+(\/[^/]+)*$/.test(value))
			throw new AppError(
				'CONFIG_INVALID',
				`${name} has an entry that is not a multiaddr: ${value}`
			);
	return values;
}

function parseUrl(name: string, value: string): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch (cause) {
		throw new AppError('CONFIG_INVALID', `${name} is not a valid URL: ${value}`, { cause });
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		throw new AppError('CONFIG_INVALID', `${name} must be an http(s) URL: ${value}`);
	return url.href.replace(/\/+$/, '');
}

export function parseConfig(raw: RawConfig): CitrateConfig {
	const hubUrl = parseUrl('PUBLIC_HF_HUB_URL', raw.PUBLIC_HF_HUB_URL?.trim() || DEFAULT_HUB_URL);
	const oauthIssuer = parseUrl(
		'PUBLIC_HF_OAUTH_ISSUER',
		raw.PUBLIC_HF_OAUTH_ISSUER?.trim() || hubUrl
	);
	const scopes = (raw.PUBLIC_HF_SCOPES?.trim() || DEFAULT_SCOPES).split(/[\s,]+/).filter(Boolean);
	const ipfsGateways = (raw.PUBLIC_IPFS_GATEWAYS ?? '')
		.split(/[\s,]+/)
		.filter(Boolean)
		.map((gateway) => parseUrl('PUBLIC_IPFS_GATEWAYS', gateway));
	return {
		hubUrl,
		oauthIssuer,
		clientId: raw.PUBLIC_HF_CLIENT_ID?.trim() ?? '',
		scopes,
		ipfsGateways,
		ipfsRelays: parseMultiaddrs(
			'PUBLIC_IPFS_RELAYS',
			list(raw.PUBLIC_IPFS_RELAYS, DEFAULT_IPFS_BOOTSTRAP)
		),
		ipfsBootstrap: parseMultiaddrs(
			'PUBLIC_IPFS_BOOTSTRAP',
			list(raw.PUBLIC_IPFS_BOOTSTRAP, DEFAULT_IPFS_BOOTSTRAP)
		),
		ipfsRouters: list(raw.PUBLIC_IPFS_ROUTERS, DEFAULT_IPFS_ROUTERS).map((url) =>
			parseUrl('PUBLIC_IPFS_ROUTERS', url)
		)
	};
}
