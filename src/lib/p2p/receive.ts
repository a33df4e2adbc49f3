import { fetchFromSource, type FetchByCidResult, type ModelRecord } from '../ipfs';
import type { Peer } from './peer';
import type { ShareOffer } from './share-link';
import type { BlockOrigin, PeerView } from './types';

/** Bytes received from one source (a device over WebRTC, a relay, a gateway). */
export interface SourceTally {
	key: string;
	origin: BlockOrigin;
	bytes: number;
	blocks: number;
}

export interface ReceiveProgress {
	bytesDone: number;
	totalBytes: number;
	/** Blocks fetched over the network in this attempt (not those already stored). */
	blocksFetched: number;
	sources: SourceTally[];
}

function keyOf(origin: BlockOrigin): string {
	if (origin.kind === 'gateway') return `gateway:${origin.gateway}`;
	if (origin.kind === 'local') return 'local';
	return `${origin.kind}:${origin.peer}`;
}

/**
 * Receives a model a share link offers: connects to the sending device (WebRTC first, the relayed
 * connection otherwise), then fetches every block — from that device, other connected peers,
 * routing and gateways — into the Helia worker's pipeline, which verifies each block, checks
 * each file against the link's SHA-256, pins and registers the model. Interrupted, it resumes.
 */
export async function receiveOffer(
	peer: Peer,
	offer: ShareOffer,
	options: {
		signal?: AbortSignal;
		onConnected?: (connection: PeerView) => void;
		onProgress?: (progress: ReceiveProgress) => void;
	} = {}
): Promise<FetchByCidResult> {
	const connection = await peer.connect(offer.peer, {
		signal: options.signal,
		pairAs: { how: 'received', model: offer.model.repoId }
	});
	options.onConnected?.(connection);
	const tallies = new Map<string, SourceTally>();
	let blocksFetched = 0;
	let bytesDone = 0;
	let totalBytes = offer.model.files.reduce((sum, file) => sum + file.size, 0);
	const report = () =>
		options.onProgress?.({ bytesDone, totalBytes, blocksFetched, sources: [...tallies.values()] });
	return fetchFromSource(
		// A plain copy: it crosses to the worker (a reactive proxy would not).
		{
			cid: offer.cid,
			gateways: [],
			record: JSON.parse(JSON.stringify(offer.model)) as ModelRecord
		},
		async (cid) => {
			const { bytes, from } = await peer.block(cid, options.signal, undefined, { notStored: true });
			blocksFetched++;
			const key = keyOf(from);
			const tally = tallies.get(key) ?? { key, origin: from, bytes: 0, blocks: 0 };
			tally.bytes += bytes.byteLength;
			tally.blocks++;
			tallies.set(key, tally);
			return bytes;
		},
		{
			...(options.signal ? { signal: options.signal } : {}),
			// `Peer.block` gives only blocks Helia hashed against their CID.
			verifiedBlocks: true,
			onProgress: (progress) => {
				bytesDone = progress.bytesDone;
				totalBytes = progress.totalBytes;
				report();
			}
		}
	);
}
