import type { LocalModel } from '../storage/types';

const CID_PATTERN = /^(baf[a-z2-7]{20,}|Qm[1-9A-HJ-NP-Za-km-z]{44})$/;

/** Whether `text` is a CID (CIDv1 base32 or CIDv0), e.g. an unnamed model added by CID. */
export function looksLikeCid(text: string): boolean {
	return CID_PATTERN.test(text);
}

/** `bafybeig…x7k2aq`: enough of a CID to tell two apart. */
export function shortCid(cid: string): string {
	return cid.length > 18 ? `${cid.slice(0, 8)}…${cid.slice(-6)}` : cid;
}

/**
 * How a downloaded model is named in the pickers: `owner/repo · Q4_K_M` for the Hub; for one added
 * by CID, its file name and a short CID, or `IPFS model bafy…xyz` when it came without a name.
 */
export function localModelLabel(model: LocalModel): string {
	if (model.source === 'hub')
		return model.variant ? `${model.repoId} · ${model.variant}` : model.repoId;
	const cid = model.cid ?? (looksLikeCid(model.revision) ? model.revision : null);
	const name = [model.variant, model.repoId.split('/').pop() ?? '', model.files[0]?.path ?? '']
		.map((candidate) => candidate.replace(/\.gguf$/i, '').trim())
		.find((candidate) => candidate !== '' && !looksLikeCid(candidate));
	if (!name) return `IPFS model ${shortCid(cid ?? model.variant)}`;
	return cid ? `${name} · ${shortCid(cid)}` : name;
}
