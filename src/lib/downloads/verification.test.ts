import { describe, expect, test } from 'vitest';
import { failedCheck, fileVerification } from './verification';

const SHA = 'ab'.repeat(32);

describe('file verification words', () => {
	test('a Hub file whose SHA-256 matched is verified; a different one failed', () => {
		expect(fileVerification({ source: 'hub' }, { sha256: SHA, hubSha256: SHA })).toEqual({
			status: 'verified',
			text: 'Verified: SHA-256 matches the Hub'
		});
		expect(
			fileVerification({ source: 'hub' }, { sha256: SHA, hubSha256: 'cd'.repeat(32) }).text
		).toBe('Check failed: SHA-256 does not match the Hub');
		expect(
			fileVerification({ source: 'hub' }, { sha256: SHA, hubSha256: SHA.toUpperCase() }).status
		).toBe('verified');
	});

	test('no hash on the Hub, older records, IPFS and disk say what was (not) checked', () => {
		expect(fileVerification({ source: 'hub' }, { sha256: SHA, hubSha256: null }).status).toBe(
			'unchecked'
		);
		expect(fileVerification({ source: 'hub' }, { sha256: SHA }).text).toBe(
			'SHA-256 computed on this device'
		);
		expect(fileVerification({ source: 'ipfs' }, { sha256: SHA }).text).toMatch(/IPFS CID/);
		expect(fileVerification({ source: 'disk' }, { sha256: SHA }).status).toBe('unchecked');
	});

	test('the failed file of a hash mismatch, and nothing for other errors', () => {
		expect(
			failedCheck({
				code: 'DOWNLOAD_HASH_MISMATCH',
				message: 'x',
				details: { path: 'a-00002-of-00003.gguf' }
			})
		).toBe('a-00002-of-00003.gguf');
		expect(failedCheck({ code: 'DOWNLOAD_NETWORK', message: 'x' })).toBeNull();
		expect(failedCheck(null)).toBeNull();
	});
});
