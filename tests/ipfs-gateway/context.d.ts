// What tests/browser/global-setup.ts provides for IPFS browser tests: `inject('ipfsGatewayUrl')`.
import 'vitest';

declare module 'vitest' {
	export interface ProvidedContext {
		/** Origin of the local trustless gateway (tests/ipfs-gateway/server.ts). */
		ipfsGatewayUrl: string;
	}
}
