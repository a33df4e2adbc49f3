/**
 * Pin requests, kept in memory and written to the node's datastore (so they
 * survive a restart: unfinished ones are queued again).
 */
import { Key, type Datastore } from 'interface-datastore';
import type { PinStatus } from '../../../src/lib/pinning/spec';

const PREFIX = '/citrate/pin-requests';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PinRequestStore {
	readonly #byId = new Map<string, PinStatus>();
	readonly #datastore: Datastore;

	constructor(datastore: Datastore) {
		this.#datastore = datastore;
	}

	async load(): Promise<PinStatus[]> {
		for await (const { value } of this.#datastore.query({ prefix: PREFIX })) {
			try {
				const p = JSON.parse(decoder.decode(value)) as PinStatus;
				this.#byId.set(p.requestid, p);
			} catch {
				// A damaged record is skipped; the rest still load.
			}
		}
		return [...this.#byId.values()];
	}

	get(id: string): PinStatus | undefined {
		return this.#byId.get(id);
	}

	all(): Iterable<PinStatus> {
		return this.#byId.values();
	}

	async put(p: PinStatus): Promise<void> {
		this.#byId.set(p.requestid, p);
		await this.#datastore.put(
			new Key(`${PREFIX}/${p.requestid}`),
			encoder.encode(JSON.stringify(p))
		);
	}

	async delete(id: string): Promise<void> {
		this.#byId.delete(id);
		await this.#datastore.delete(new Key(`${PREFIX}/${id}`));
	}
}
