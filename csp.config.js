/**
 * The app's Content-Security-Policy, built from configuration at build time (svelte.config.js puts
 * it in every page as a <meta http-equiv>; hash mode: SvelteKit's inline boot script is allowed by
 * its hash, nothing else inline). `frame-ancestors` cannot be set from a meta tag: hosts send it
 * (see scripts/serve.mjs and the README).
 *
 * `connect-src` and `img-src` list exactly the origins this build is configured to use — never a
 * port wildcard such as `http://127.0.0.1:*`. A feature that talks to more origins adds ONE entry
 * to ORIGIN_SOURCES: the directives it needs and a function from the build's PUBLIC_* variables
 * to its origins (ws:/wss: origins for WebSocket peers work the same way).
 *
 * An endpoint the user types in at run time cannot be added here, and a page cannot widen its own
 * policy (a second policy only narrows it). Such a feature offers the endpoints configured at build
 * time (PUBLIC_… variable → an entry here), or asks the user to allow that one origin
 * (`ApproveOriginPrompt`, src/lib/security/approved-origins.ts): the service worker then appends
 * the allowed origins to `connect-src` of the page it serves (service-worker/approved-csp.ts), so
 * it works after one reload. Until then `isAllowedByCsp` (src/lib/security/csp.ts) says the page
 * may not connect yet. `connect-src https:` would let any injected script send the token anywhere.
 */

/** The real Hub's file CDNs. The one host wildcard: Hugging Face's own CDN domain, https only. */
export const REAL_HUB_CDN_ORIGINS = [
	'https://cdn-lfs.hf.co',
	'https://cdn-lfs-us-1.hf.co',
	'https://cas-bridge.xethub.hf.co',
	'https://*.hf.co'
];
export const AVATAR_ORIGINS = ['https://cdn-avatars.huggingface.co', 'https://www.gravatar.com'];

/** @typedef {Record<string, string | undefined>} Env */
/** @typedef {'connect-src' | 'img-src' | 'media-src'} OriginDirective */
/** @typedef {{ feature: string, directives: OriginDirective[], origins: (env: Env) => string[] }} OriginSource */

/**
 * The origins of space/comma separated URLs. `https://*.example.com` (a host wildcard on https) is
 * kept as written; a port wildcard or anything that is not a URL is a build error.
 * @param {...(string | undefined)} values
 * @returns {string[]}
 */
export function urlOrigins(...values) {
	return values
		.join(' ')
		.split(/[\s,]+/)
		.filter(Boolean)
		.map((entry) => {
			if (entry.includes('*')) {
				if (/^https:\/\/\*\.[a-z0-9.-]+$/i.test(entry)) return entry;
				throw new Error(`CSP: only https host wildcards are allowed, not ${entry}`);
			}
			let url;
			try {
				url = new URL(entry);
			} catch {
				throw new Error(`CSP: not a URL in the configuration: ${entry}`);
			}
			if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol))
				throw new Error(`CSP: not an http(s) or ws(s) URL: ${entry}`);
			return url.origin;
		});
}

/**
 * Every feature's origins: add one entry per feature that talks to other origins.
 * @type {OriginSource[]}
 */
export const ORIGIN_SOURCES = [
	{
		feature: 'Hub API, sign-in and avatars served by the Hub',
		directives: ['connect-src', 'img-src'],
		origins: (env) => urlOrigins(env.PUBLIC_HF_HUB_URL, env.PUBLIC_HF_OAUTH_ISSUER)
	},
	{
		feature: 'Hub file CDNs (downloads, GGUF headers, model card images)',
		directives: ['connect-src', 'img-src'],
		origins: (env) =>
			env.PUBLIC_HF_CDN_ORIGINS?.trim()
				? urlOrigins(env.PUBLIC_HF_CDN_ORIGINS)
				: REAL_HUB_CDN_ORIGINS
	},
	{
		feature: 'Hub user avatars',
		directives: ['img-src'],
		origins: () => AVATAR_ORIGINS
	},
	{
		feature: 'IPFS trustless gateways (add a model by CID)',
		directives: ['connect-src'],
		origins: (env) => urlOrigins(env.PUBLIC_IPFS_GATEWAYS)
	},
	{
		feature: 'IPFS peer (src/lib/p2p): relays, bootstrap peers, delegated routers',
		directives: ['connect-src'],
		origins: (env) => peerOrigins(env)
	}
];

/**
 * The WebSocket origin of a `/ip4|dns…/HOST/tcp/PORT/ws` (or `/tls/ws`, `/wss`) multiaddr.
 * @param {string} addr
 * @returns {string[]}
 */
function multiaddrOrigin(addr) {
	const match = /^\/(?:ip4|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)\/(tls\/ws|wss|ws)(?:\/|$)/.exec(
		addr
	);
	if (!match) return [];
	return [`${match[3] === 'ws' ? 'ws' : 'wss'}://${match[1]}:${match[2]}`];
}

/**
 * The peer's origins. Configured relays and bootstrap peers are listed exactly. Empty means the
 * public defaults (src/lib/config-parse.ts): peers of the public network can be anywhere, so that
 * deployment allows any `wss:` origin and the DNS-over-HTTPS resolvers used for `/dnsaddr`;
 * `none` (tests, private deployments) adds nothing.
 * @param {Env} env
 * @returns {string[]}
 */
export function peerOrigins(env) {
	const relays = (env.PUBLIC_IPFS_RELAYS ?? '').trim();
	const bootstrap = (env.PUBLIC_IPFS_BOOTSTRAP ?? '').trim();
	const routers = (env.PUBLIC_IPFS_ROUTERS ?? '').trim();
	const listed = [relays, bootstrap]
		.filter((value) => value !== 'none')
		.flatMap((value) => value.split(/[\s,]+/).filter(Boolean))
		.flatMap(multiaddrOrigin);
	const publicNetwork =
		relays === '' || bootstrap === ''
			? ['wss:', 'https://cloudflare-dns.com', 'https://dns.google']
			: [];
	const routerOrigins =
		routers === 'none' ? [] : routers === '' ? ['https://delegated-ipfs.dev'] : urlOrigins(routers);
	return [...listed, ...publicNetwork, ...routerOrigins];
}

/**
 * The CSP for SvelteKit's `kit.csp`.
 * @param {Env} env the build's environment (PUBLIC_* variables)
 * @param {OriginSource[]} [sources]
 */
export function buildCsp(env, sources = ORIGIN_SOURCES) {
	/** @param {OriginDirective} directive */
	const originsFor = (directive) =>
		sources.flatMap((source) => (source.directives.includes(directive) ? source.origins(env) : []));
	/** @param {string[]} list */
	const unique = (list) => [...new Set(list)];
	return /** @type {import('@sveltejs/kit').KitConfig['csp']} */ ({
		mode: 'hash',
		directives: {
			'default-src': ['self'],
			'script-src': ['self', 'wasm-unsafe-eval'],
			'worker-src': ['self', 'blob:'],
			'connect-src': unique(['self', 'data:', 'blob:', ...originsFor('connect-src')]),
			'img-src': unique(['self', 'data:', 'blob:', ...originsFor('img-src')]),
			'style-src': ['self', 'unsafe-inline'],
			'font-src': ['self', 'data:'],
			'media-src': unique(['self', 'blob:', ...originsFor('media-src')]),
			'manifest-src': ['self'],
			'object-src': ['none'],
			'base-uri': ['self'],
			'form-action': ['self']
		}
	});
}
