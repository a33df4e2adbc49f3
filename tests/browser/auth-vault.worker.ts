// Runs the vault in a dedicated worker: no DOM, same IndexedDB, same key.
import { readAccessToken } from '../../src/lib/auth/index';

const expected = 'hf_oauth_VaultTestSecretToken0123456789abcdef';
readAccessToken().then(
	(token) => postMessage({ ok: true, matches: token === expected }),
	(error: unknown) => postMessage({ ok: false, error: String(error) })
);
