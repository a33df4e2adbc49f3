import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { buildCsp } from './csp.config.js';

// Public configuration is read at build time; unset variables get the Hub's defaults here so that
// `$env/static/public` always has every name.
process.env.PUBLIC_HF_HUB_URL ||= 'https://huggingface.co';
process.env.PUBLIC_HF_OAUTH_ISSUER ||= process.env.PUBLIC_HF_HUB_URL;
process.env.PUBLIC_HF_CLIENT_ID ??= '';
process.env.PUBLIC_HF_SCOPES ||= 'openid profile gated-repos';
process.env.PUBLIC_IPFS_GATEWAYS ??= '';
// Peer-to-peer (issue 15): empty means the public defaults (see src/lib/config-parse.ts), `none`
// means none.
process.env.PUBLIC_IPFS_RELAYS ??= '';
process.env.PUBLIC_IPFS_BOOTSTRAP ??= '';
process.env.PUBLIC_IPFS_ROUTERS ??= '';

// Content-Security-Policy: exactly the configured origins (csp.config.js; a feature that talks to
// more origins adds one entry to ORIGIN_SOURCES there).
const csp = buildCsp(process.env);

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
