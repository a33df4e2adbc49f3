/**
 * A pinning service's `delegates` are the multiaddrs of the node that will fetch the pin; a
 * browser can dial only their WebSocket ones, and only once their origin is in the page's
 * `connect-src` (an origin the user allowed).
 */

/** The WebSocket origin of a `/ip4|dns…/HOST/tcp/PORT/ws` (or `/tls/ws`, `/wss`) multiaddr. */
export function delegateOrigin(addr: string): string | undefined {
	const match =
		/^\/(?:ip4|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)\/(tls\/ws|tls\/sni\/[^/]+\/ws|wss|ws)(?:\/|$)/.exec(
			addr
		);
	if (!match) return undefined;
	return `${match[3] === 'ws' ? 'ws' : 'wss'}://${(match[1] as string).toLowerCase()}:${match[2]}`;
}

/** The delegates a browser can dial (WebSockets), in the service's order, with their origins. */
export function dialableDelegates(
	delegates: readonly string[]
): { addr: string; origin: string }[] {
	return delegates.flatMap((addr) => {
		const origin = delegateOrigin(addr);
		return origin ? [{ addr, origin }] : [];
	});
}
