import { describe, expect, test } from 'vitest';
import type { LocalModel } from '../storage/types';
import { localModelLabel, looksLikeCid, shortCid } from './model-label';

const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const RAW = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';

function model(patch: Partial<LocalModel>): LocalModel {
	return {
		id: 'x',
		repoId: 'citrate-test/tiny-llama-GGUF',
		revision: 'abc',
		variant: 'Q4_K_M',
		files: [{ path: 'tiny-llama-Q4_K_M.gguf', size: 1, sha256: '00' }],
		totalBytes: 1,
		source: 'hub',
		addedAt: 0,
		...patch
	};
}

describe('localModelLabel', () => {
	test('a Hub model is "owner/repo · variant"', () => {
		expect(localModelLabel(model({}))).toBe('citrate-test/tiny-llama-GGUF · Q4_K_M');
	});

	test('a model added by CID without a name gets a short, distinct label, not the CID twice', () => {
		const label = localModelLabel(
			model({
				source: 'ipfs',
				repoId: `ipfs/${RAW}`,
				revision: RAW,
				variant: RAW,
				cid: RAW,
				files: [{ path: RAW, size: 1, sha256: '00', cid: RAW }]
			})
		);
		expect(label).toBe(`IPFS model ${shortCid(RAW)}`);
		expect(label).not.toContain(RAW);
		const other = localModelLabel(
			model({ source: 'ipfs', repoId: `ipfs/${CID}`, revision: CID, variant: CID, cid: CID })
		);
		expect(other).not.toBe(label);
	});

	test('a named model from IPFS shows its file name and a short CID', () => {
		expect(
			localModelLabel(
				model({
					source: 'ipfs',
					repoId: 'ipfs/cid-chat',
					revision: CID,
					variant: 'cid-chat',
					cid: CID
				})
			)
		).toBe(`cid-chat · ${shortCid(CID)}`);
	});

	test('CIDs are recognised and shortened', () => {
		expect(looksLikeCid(CID)).toBe(true);
		expect(looksLikeCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toBe(true);
		expect(looksLikeCid('tiny-llama-Q8_0')).toBe(false);
		expect(shortCid(CID)).toBe('bafybeig…55fbzdi'.replace('55fbzdi', CID.slice(-6)));
	});
});
