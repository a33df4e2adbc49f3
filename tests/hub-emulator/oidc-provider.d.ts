// oidc-provider v9 ships no types; this declares the part of its API the emulator uses.
declare module 'oidc-provider' {
	import type { IncomingMessage, ServerResponse } from 'node:http';

	export interface InteractionDetails {
		uid: string;
		grantId?: string;
		prompt: {
			name: string;
			reasons: string[];
			details: {
				missingOIDCScope?: string[];
				missingOIDCClaims?: string[];
				missingResourceScopes?: Record<string, string[]>;
			};
		};
		params: Record<string, string | undefined> & { client_id: string };
		session?: { accountId: string };
	}

	export interface GrantInstance {
		addOIDCScope(scope: string): void;
		addOIDCClaims(claims: string[]): void;
		addResourceScope(indicator: string, scope: string): void;
		save(): Promise<string>;
	}

	export interface AccessTokenInstance {
		accountId: string;
		clientId: string;
		scope?: string;
		exp: number;
		jti: string;
	}

	export interface ClientInstance {
		clientId: string;
		clientName?: string;
		grantTypeAllowed(type: string): boolean;
	}

	export default class Provider {
		constructor(issuer: string, configuration: Record<string, unknown>);
		callback(): (req: IncomingMessage, res: ServerResponse) => void;
		interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
		interactionFinished(
			req: IncomingMessage,
			res: ServerResponse,
			result: Record<string, unknown>,
			options?: { mergeWithLastSubmission?: boolean }
		): Promise<void>;
		on(event: string, listener: (...args: unknown[]) => void): this;
		/** Koa middleware in front of the provider's routes. */
		use(
			middleware: (
				ctx: { path: string; status: number; body: unknown },
				next: () => Promise<void>
			) => Promise<void>
		): this;
		Grant: {
			new (init: { accountId: string; clientId: string }): GrantInstance;
			find(id: string): Promise<GrantInstance | undefined>;
		};
		AccessToken: {
			prototype: { generateTokenId(this: unknown): string };
			find(value: string): Promise<AccessTokenInstance | undefined>;
		};
		Client: {
			find(id: string): Promise<ClientInstance | undefined>;
		};
	}
}
