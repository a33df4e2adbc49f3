import { vaultDelete, vaultRead, vaultWrite } from '../auth/vault';
import { PinningClient } from './client';
import { normalizeEndpoint } from './endpoint';

/**
 * The user's pinning service (their own node, IPFS Cluster or a hosted service): endpoint and
 * access token, kept encrypted in the vault like the Hub token. Saved only after the service
 * accepted the token, so a wrong endpoint or token is reported and nothing is kept.
 */
const VAULT_ID = 'pinning-service';

export interface PinningServiceConfig {
	endpoint: string;
	token: string;
}

export async function loadPinningService(): Promise<PinningServiceConfig | null> {
	return vaultRead<PinningServiceConfig>(VAULT_ID);
}

export async function savePinningService(
	input: PinningServiceConfig,
	opts: { fetch?: typeof fetch; timeoutMs?: number; signal?: AbortSignal } = {}
): Promise<PinningServiceConfig> {
	const config = { endpoint: normalizeEndpoint(input.endpoint), token: input.token.trim() };
	await new PinningClient({ ...config, fetch: opts.fetch, timeoutMs: opts.timeoutMs }).check(
		opts.signal
	);
	await vaultWrite(VAULT_ID, config);
	return config;
}

export async function forgetPinningService(): Promise<void> {
	await vaultDelete(VAULT_ID);
}
