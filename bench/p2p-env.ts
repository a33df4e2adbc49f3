/**
 * `$env/static/public` for the p2p bench page (a plain Vite server, not SvelteKit's): nothing
 * public configured, so the app's peer reaches only what the bench gives it.
 */
export const PUBLIC_HF_HUB_URL = '';
export const PUBLIC_HF_OAUTH_ISSUER = '';
export const PUBLIC_HF_CLIENT_ID = '';
export const PUBLIC_HF_SCOPES = '';
export const PUBLIC_IPFS_GATEWAYS = '';
export const PUBLIC_IPFS_RELAYS = 'none';
export const PUBLIC_IPFS_BOOTSTRAP = 'none';
export const PUBLIC_IPFS_ROUTERS = 'none';
