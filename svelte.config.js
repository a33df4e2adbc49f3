import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Public configuration is read at build time; unset variables get the Hub's defaults here so that
// `$env/static/public` always has every name.
process.env.PUBLIC_HF_HUB_URL ||= 'https://huggingface.co';
process.env.PUBLIC_HF_OAUTH_ISSUER ||= process.env.PUBLIC_HF_HUB_URL;
process.env.PUBLIC_HF_CLIENT_ID ??= '';
process.env.PUBLIC_HF_SCOPES ||= 'openid profile gated-repos';
process.env.PUBLIC_IPFS_GATEWAYS ??= '';

// ── Content-Security-Policy (sign-in engineer) ──
// Served as a <meta http-equiv> in every page (hash mode: SvelteKit's inline boot script is allowed by
// its hash, nothing else inline). `frame-ancestors` cannot be set from a meta tag, so it is not here.
// PUBLIC_HF_CDN_ORIGINS (optional, build time): space/comma separated origins the Hub redirects file
// downloads to; default: the real Hub's CDNs. A loopback Hub (the emulator, dev) also allows every
// loopback port, so its CDN origin works without configuration.
const REAL_HUB_CDN_ORIGINS = [
	'https://cdn-lfs.hf.co',
	'https://cdn-lfs-us-1.hf.co',
	'https://cas-bridge.xethub.hf.co',
	'https://*.hf.co'
];
const AVATAR_ORIGINS = ['https://cdn-avatars.huggingface.co', 'https://www.gravatar.com'];
/** @param {string | undefined} value */
function originsOf(value) {
	return (value ?? '')
		.split(/[\s,]+/)
		.filter(Boolean)
		.flatMap((entry) => {
			if (entry.includes('*')) return [entry];
			try {
				return [new URL(entry).origin];
			} catch {
				throw new Error(`not a URL in CSP configuration: ${entry}`);
			}
		});
}
const hubOrigins = originsOf(
	`${process.env.PUBLIC_HF_HUB_URL} ${process.env.PUBLIC_HF_OAUTH_ISSUER}`
);
const cdnOrigins = process.env.PUBLIC_HF_CDN_ORIGINS?.trim()
	? originsOf(process.env.PUBLIC_HF_CDN_ORIGINS)
	: REAL_HUB_CDN_ORIGINS;
const loopbackHub = hubOrigins.some((origin) =>
	/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin)
);
const loopback = loopbackHub ? ['http://127.0.0.1:*', 'http://localhost:*'] : [];
/** @param {string[]} list */
const unique = (list) => [...new Set(list)];
// Origins are plain strings here; SvelteKit's `Source` type is a union of string patterns.
const csp = /** @type {import('@sveltejs/kit').KitConfig['csp']} */ ({
	mode: 'hash',
	directives: {
		'default-src': ['self'],
		'script-src': ['self', 'wasm-unsafe-eval'],
		'worker-src': ['self', 'blob:'],
		'connect-src': unique([
			'self',
			'data:',
			'blob:',
			...hubOrigins,
			...cdnOrigins,
			...originsOf(process.env.PUBLIC_IPFS_GATEWAYS),
			// The user's own pinning service (Settings → Keep models on my IPFS node…) can be any
			// https origin; it is chosen at run time, so no build-time list can name it.
			'https:',
			...loopback
		]),
		'img-src': unique([
			'self',
			'data:',
			'blob:',
			...hubOrigins,
			...AVATAR_ORIGINS,
			...cdnOrigins,
			...loopback
		]),
		'style-src': ['self', 'unsafe-inline'],
		'font-src': ['self', 'data:'],
		'media-src': ['self', 'blob:'],
		'manifest-src': ['self'],
		'object-src': ['none'],
		'base-uri': ['self'],
		'form-action': ['self']
	}
});

// CITRATE_OUT lets a test build into its own folder without touching `build/`.
const out = process.env.CITRATE_OUT || 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: false }),
		files: { serviceWorker: 'service-worker' },
		serviceWorker: { register: false },
		// CITRATE_KIT_DIR: a private SvelteKit work folder, so builds running at once (e2e, demo)
		// do not overwrite each other's .svelte-kit/output. scripts/serve.mjs --build sets it.
		outDir: process.env.CITRATE_KIT_DIR || '.svelte-kit',
		csp
	}
};

export default config;
