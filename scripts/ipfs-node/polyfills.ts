/**
 * What Node 20 lacks that js-libp2p 3 uses: `Promise.withResolvers` (Node 22;
 * the circuit relay needs it) and a global `WebSocket` (Node 22; the
 * WebSockets transport dials with it). Each is installed only when missing, so
 * on Node ≥ 22 this does nothing. Import this module before libp2p.
 */
import { WebSocket as NodeWebSocket } from 'ws';

interface Resolvers<T> {
	promise: Promise<T>;
	resolve: (value: T | PromiseLike<T>) => void;
	reject: (reason?: unknown) => void;
}

export function installPolyfills(): void {
	const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
	if (typeof P.withResolvers !== 'function') {
		P.withResolvers = function withResolvers<T>(): Resolvers<T> {
			let resolve!: Resolvers<T>['resolve'];
			let reject!: Resolvers<T>['reject'];
			const promise = new Promise<T>((res, rej) => {
				resolve = res;
				reject = rej;
			});
			return { promise, resolve, reject };
		};
	}
	const g = globalThis as unknown as { WebSocket?: unknown };
	if (typeof g.WebSocket !== 'function') g.WebSocket = NodeWebSocket;
}

installPolyfills();
