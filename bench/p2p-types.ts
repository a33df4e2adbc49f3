/** What the p2p bench's page reports for one transfer (shared by the page and bench/p2p.ts). */
export type Path = 'webrtc' | 'relayed' | 'node';

export interface Transfer {
	/** Dialing the source until the connection is open (ms). */
	connectMs: number;
	/** From asking for the CID until its first block arrived (ms). */
	firstBlockMs: number;
	/** From asking for the CID until its last block arrived (ms; where measured). */
	lastBlockMs?: number;
	/** From asking for the CID until the model is usable (app: verified, written, registered). */
	transferMs: number;
	bytes: number;
	mibPerSecond: number;
	/** How the connection to the source runs (webrtc, relayed, websockets). */
	kind: string;
	/** Blocks that came over the network, and from which connection kinds. */
	blocks: number;
	sourceKinds: string[];
	/** App only: the SHA-256 the receiver computed of the file it wrote. */
	sha256?: string;
}
