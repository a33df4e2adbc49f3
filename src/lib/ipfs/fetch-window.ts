/** Leaves fetched at once from trustless gateways. */
export const FETCH_AHEAD = 8;

/**
 * Leaves asked of the page's peer at once. Each block crosses from the page, and the worker hashes
 * and writes while more arrive: 64 raised the receive from 14.4 to 16.8 MiB/s on the Node → browser
 * path and from 7.8 to 9.0 on the relayed one (`bench:p2p`, 2026-12-01); the bench gives bare Helia
 * the same window.
 */
export const PEER_FETCH_AHEAD = 64;
