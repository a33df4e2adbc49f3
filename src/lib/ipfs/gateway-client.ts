import type { CID } from 'multiformats/cid';
import { AppError } from '../errors';
import { blockMatches } from './blocks';

/**
 * Fetches single blocks from trustless gateways (`GET /ipfs/<cid>?format=raw`,
 * `Accept: application/vnd.ipld.raw`) and verifies each against its CID. Gateways are tried in
 * order, starting with the last one that answered; a block that fails verification is never
 * returned.
 */
export class GatewayClient {
	readonly #gateways: string[];
	#preferred = 0;

	constructor(gateways: string[]) {
		if (gateways.length === 0)
			throw new AppError(
				'IPFS_GATEWAY',
				'No IPFS gateway is configured, so models cannot be fetched by CID. Set PUBLIC_IPFS_GATEWAYS.'
			);
		this.#gateways = gateways.map((gateway) => gateway.replace(/\/+$/, ''));
	}

	async block(cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
		let invalid: string | undefined;
		let notFound = 0;
		let lastError: unknown;
		for (let attempt = 0; attempt < this.#gateways.length; attempt++) {
			const index = (this.#preferred + attempt) % this.#gateways.length;
			const gateway = this.#gateways[index] as string;
			signal?.throwIfAborted();
			let response: Response;
			try {
				response = await fetch(`${gateway}/ipfs/${cid.toString()}?format=raw`, {
					headers: { Accept: 'application/vnd.ipld.raw' },
					signal
				});
			} catch (error) {
				if (signal?.aborted) throw error;
				lastError = error;
				continue;
			}
			if (response.status === 404 || response.status === 410) {
				notFound++;
				await response.body?.cancel();
				continue;
			}
			if (!response.ok) {
				lastError = new Error(`HTTP ${response.status}`);
				await response.body?.cancel();
				continue;
			}
			const bytes = new Uint8Array(await response.arrayBuffer());
			if (!(await blockMatches(cid, bytes))) {
				invalid = gateway;
				continue;
			}
			this.#preferred = index;
			return bytes;
		}
		if (invalid)
			throw new AppError(
				'IPFS_BLOCK_INVALID',
				`The gateway ${invalid} sent a block that does not match its CID. Nothing was added.`,
				{ details: { cid: cid.toString(), gateway: invalid } }
			);
		if (notFound === this.#gateways.length)
			throw new AppError('IPFS_NOT_FOUND', 'No configured gateway has this CID.', {
				details: { cid: cid.toString() }
			});
		throw new AppError('IPFS_GATEWAY', 'Could not reach an IPFS gateway. Try again later.', {
			cause: lastError,
			details: { cid: cid.toString() }
		});
	}
}
