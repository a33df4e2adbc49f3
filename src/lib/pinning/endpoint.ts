import { AppError } from '../errors';

/**
 * A pinning service's endpoint as the user typed it → the base URL the spec's paths go under
 * (`<base>/pins`). Accepts the base or the `/pins` URL itself; https, or http on loopback only
 * (an http endpoint elsewhere would send the token in the clear).
 */
export function normalizeEndpoint(input: string): string {
	const text = input.trim();
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new AppError(
			'PINNING_CONFIG_INVALID',
			'Enter the service’s address as a full URL, e.g. https://ipfs.example.org.'
		);
	}
	const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
		throw new AppError(
			'PINNING_CONFIG_INVALID',
			'The service’s address must start with https:// (http:// only for this computer).'
		);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new AppError(
			'PINNING_CONFIG_INVALID',
			'Enter the service’s address without a user name, query or fragment; the access token goes in its own field.'
		);
	}
	const path = url.pathname.replace(/\/+$/, '').replace(/\/pins$/, '');
	return `${url.origin}${path}`;
}
