// What tests/browser/global-setup.ts provides to browser tests: `inject('hubUrl')`, `inject('cdnUrl')`.
import 'vitest';

declare module 'vitest' {
	export interface ProvidedContext {
		/** Origin of the Hub emulator (REST, resolve, OAuth issuer, `/__emulator` control API). */
		hubUrl: string;
		/** Origin the emulator's resolve endpoint redirects large files to. */
		cdnUrl: string;
	}
}
