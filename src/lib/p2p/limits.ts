/**
 * Bounds on what this browser's peer gives to others: per peer (bitswap keeps at most
 * `maxWantListSize` of each peer's wants, queues at most `sendBlocksMaxQueueLength` sends for it,
 * runs at most `sendBlocksConcurrency` of them at once, each message at most
 * `maxOutgoingMessageSize`, and aborts a send the peer does not take within `messageSendTimeout`),
 * and on connections (at most `maxConnections` open, `maxIncomingPendingConnections` being set up,
 * and `inboundConnectionThreshold` new ones per second from one host). A peer's share is so one
 * send at a time, of every block it waits for, in messages of at most 4 MiB; bandwidth is bounded
 * by the user's upload limit (`upload-limit.ts`), not here.
 *
 * The bitswap bounds are `@helia/bitswap`'s own defaults, written out so they stay bounds whatever
 * its defaults become. Tighter ones (32 streams, 8 queued sends, 256 wants, 2 MiB messages) cost
 * WebRTC transfers about a tenth of their speed against bare Helia in `npm run bench:p2p`.
 * `tests/ipfs-node/limits.test.ts` checks that bitswap applies them.
 */
export const SERVING_LIMITS = Object.freeze({
	bitswap: {
		maxInboundStreams: 1024,
		maxOutboundStreams: 1024,
		/**
		 * Sends to one peer at once. One (bitswap's default): each send gathers every block the peer
		 * waits for, and the blocks are read ahead as the wants arrive (`PeerBlockstore.readAhead`).
		 * Eight sends at once made many small messages, each on its own stream: on a relayed
		 * connection the relay, the sender and the receiver did a third more work for the same bytes.
		 */
		sendBlocksConcurrency: 1,
		/** Sends queued for one peer. */
		sendBlocksMaxQueueLength: 10,
		/** A send the peer does not take within this time is aborted (a stalled reader). */
		messageSendTimeout: 10_000,
		/** A message from a peer that does not arrive in whole within this time: its stream closes. */
		messageReceiveTimeout: 10_000,
		/** The largest message (blocks) sent to one peer at once. */
		maxOutgoingMessageSize: 4 * 1024 * 1024,
		/**
		 * Wants kept per peer. `@helia/bitswap` 4 documents `maxWantlistSize` but reads
		 * `maxWantListSize`; both are given so the bound holds either way.
		 */
		maxWantlistSize: 1024,
		maxWantListSize: 1024
	},
	connections: {
		maxConnections: 64,
		maxIncomingPendingConnections: 8,
		/** New inbound connections per second from one host. */
		inboundConnectionThreshold: 5
	}
});
