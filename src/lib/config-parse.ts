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
}

export interface RawConfig {
	PUBLIC_HF_HUB_URL?: string;
	PUBLIC_HF_OAUTH_ISSUER?: string;
	PUBLIC_HF_CLIENT_ID?: string;
	PUBLIC_HF_SCOPES?: string;
	PUBLIC_IPFS_GATEWAYS?: string;
}

export const DEFAULT_HUB_URL = 'https://huggingface.co';
export const DEFAULT_SCOPES = 'openid profile gated-repos';

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
		ipfsGateways
	};
}
