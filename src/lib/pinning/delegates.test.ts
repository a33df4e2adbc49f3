import { describe, expect, it } from 'vitest';
import { delegateOrigin, dialableDelegates } from './delegates';

const ID = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf';

describe('delegateOrigin', () => {
	it('gives the WebSocket origin of ws, wss and tls/ws multiaddrs', () => {
		expect(delegateOrigin(`/ip4/127.0.0.1/tcp/4003/ws/p2p/${ID}`)).toBe('ws://127.0.0.1:4003');
		expect(delegateOrigin(`/dns4/Node.Example.org/tcp/443/wss/p2p/${ID}`)).toBe(
			'wss://node.example.org:443'
		);
		expect(delegateOrigin(`/dns/node.example.org/tcp/443/tls/ws/p2p/${ID}`)).toBe(
			'wss://node.example.org:443'
		);
	});
	it('refuses what a browser cannot dial', () => {
		expect(delegateOrigin(`/ip4/127.0.0.1/tcp/4001/p2p/${ID}`)).toBeUndefined();
		expect(delegateOrigin(`/ip6/::1/tcp/4003/ws/p2p/${ID}`)).toBeUndefined();
		expect(delegateOrigin(`/ip4/127.0.0.1/udp/4001/quic-v1/p2p/${ID}`)).toBeUndefined();
	});
});

describe('dialableDelegates', () => {
	it('keeps the WebSocket delegates in order', () => {
		const tcp = `/ip4/127.0.0.1/tcp/4001/p2p/${ID}`;
		const ws = `/ip4/127.0.0.1/tcp/4003/ws/p2p/${ID}`;
		expect(dialableDelegates([tcp, ws])).toEqual([{ addr: ws, origin: 'ws://127.0.0.1:4003' }]);
	});
});
