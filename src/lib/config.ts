import {
	PUBLIC_HF_CLIENT_ID,
	PUBLIC_HF_HUB_URL,
	PUBLIC_HF_OAUTH_ISSUER,
	PUBLIC_HF_SCOPES,
	PUBLIC_IPFS_GATEWAYS,
	PUBLIC_IPFS_RELAYS,
	PUBLIC_IPFS_BOOTSTRAP,
	PUBLIC_IPFS_ROUTERS
} from '$env/static/public';
import { parseConfig, type CitrateConfig } from './config-parse';

export type { CitrateConfig } from './config-parse';

/** The app's configuration, from PUBLIC_* variables at build time. */
export const config: CitrateConfig = parseConfig({
	PUBLIC_HF_HUB_URL,
	PUBLIC_HF_OAUTH_ISSUER,
	PUBLIC_HF_CLIENT_ID,
	PUBLIC_HF_SCOPES,
	PUBLIC_IPFS_GATEWAYS,
	PUBLIC_IPFS_RELAYS,
	PUBLIC_IPFS_BOOTSTRAP,
	PUBLIC_IPFS_ROUTERS
});
