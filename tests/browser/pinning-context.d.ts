// What tests/browser/global-setup.ts provides for the remote-pinning tests (tests/ipfs-node/pinning-fixture.ts).
import 'vitest';

declare module 'vitest' {
	export interface ProvidedContext {
		pinning: {
			url: string;
			token: string;
			origin: string;
			cid: string;
			missingCid: string;
			stalledUrl: string;
			downUrl: string;
		};
	}
}
