/**
 * Bounds on what this browser's peer gives to others: per peer (bitswap keeps at most
 * `maxWantlistSize` of each peer's wants, queues at most `sendBlocksMaxQueueLength` sends for it,
 * sends one message at a time of at most `maxOutgoingMessageSize`, and gives up on a peer that
 * takes longer than `sendBlocksTimeout` to take one), and on connections (at most
 * `maxConnections` open, `maxIncomingPendingConnections` being set up, and
 * `inboundConnectionThreshold` new ones per second from one host). A peer's share is so at most
 * one 2 MiB message in flight: about 8 blocks of 256 KiB.
 */
export const SERVING_LIMITS = Object.freeze({
	bitswap: {
		maxInboundStreams: 32,
		maxOutboundStreams: 32,
		/** Messages sent to one peer at once (8 keeps a receiver's 32 blocks in flight moving). */
		sendBlocksConcurrency: 8,
		/** Sends queued for one peer. */
		sendBlocksMaxQueueLength: 8,
		/** A peer that does not take a message within this time is skipped. */
		sendBlocksTimeout: 10_000,
		/** The largest message (blocks) sent to one peer at once. */
		maxOutgoingMessageSize: 2 * 1024 * 1024,
		/** Wants kept per peer. */
		maxWantlistSize: 256
	},
	connections: {
		maxConnections: 64,
		maxIncomingPendingConnections: 8,
		/** New inbound connections per second from one host. */
		inboundConnectionThreshold: 5
	}
});
