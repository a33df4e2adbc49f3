import { AppError } from '../errors';
import type { LocalModel } from '../storage/types';
import type { ShareOffer } from './share-link';

/** The offer for a pinned model from this device (its peer id and relay addresses). */
export function offerFor(model: LocalModel, peer: { id: string; addrs: string[] }): ShareOffer {
	if (!model.cid)
		throw new AppError(
			'IPFS_NOT_FOUND',
			'This model is not pinned yet, so it cannot be sent. Wait until its CID shows.'
		);
	return {
		cid: model.cid,
		model: {
			repoId: model.repoId,
			revision: model.revision,
			variant: model.variant,
			files: model.files.map(({ path, size, sha256 }) => ({ path, size, sha256 }))
		},
		peer
	};
}
