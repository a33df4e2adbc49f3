/** How a connection to another peer runs. */
export type ConnectionKind = 'webrtc' | 'relayed' | 'websockets' | 'webtransport';

export interface PeerView {
	peer: string;
	kind: ConnectionKind;
}

export interface PeerOptions {
	/** Circuit-relay-v2 relays (multiaddrs with `/p2p/<id>`). */
	relays: string[];
	bootstrap: string[];
	/** The user's own nodes (multiaddrs): always allowed. */
	nodes: string[];
	/** Delegated routing endpoints. */
	routers: string[];
	/** Trustless gateways, used as fallback providers of every block. */
	gateways: string[];
	/** Serve pinned models to the public network (connect to bootstrap peers). Off by default. */
	servePublic: boolean;
	/** The user allowed devices on the local network (private addresses). */
	allowPrivate: () => boolean;
	/** What this peer may send, all peers together, in bytes per second (`null`: no limit). */
	uploadLimit: () => number | null;
	/** Devices and nodes paired before (kept across restarts): served from the start. */
	paired?: readonly string[];
	maxConnections?: number;
	iceServers?: { urls: string | string[] }[];
}

/** Where a block came from. */
export type BlockOrigin =
	{ kind: ConnectionKind; peer: string } | { kind: 'gateway'; gateway: string } | { kind: 'local' };

export interface ReceivedBlock {
	bytes: Uint8Array;
	from: BlockOrigin;
}
