import { describe, expect, test } from 'vitest';
import { denyDial, hostsOf, isPrivateUrl } from './gater';

describe('connection gater', () => {
	const configured = hostsOf([
		'/ip4/192.0.2.10/tcp/4003/ws/p2p/12D3KooWRelay',
		'/dns4/node.home.arpa/tcp/443/wss'
	]);
	let allowPrivate = false;
	const policy = { allowedHosts: configured, allowPrivate: () => allowPrivate };

	test('configured relays and nodes are allowed even on private addresses', () => {
		expect(denyDial(policy, '/ip4/192.0.2.10/tcp/4003/ws/p2p/12D3KooWRelay')).toBe(false);
		expect(
			denyDial(
				policy,
				'/ip4/192.0.2.10/tcp/4003/ws/p2p/12D3KooWRelay/p2p-circuit/webrtc/p2p/12D3KooWPeer'
			)
		).toBe(false);
		expect(denyDial(policy, '/dns4/node.home.arpa/tcp/443/wss')).toBe(false);
	});

	test('other private addresses only when the user allows the local network', () => {
		for (const addr of [
			'/ip4/127.0.0.1/tcp/1/ws',
			'/ip4/10.1.2.3/tcp/1/ws',
			'/ip4/192.168.1.5/tcp/1/ws',
			'/ip6/::1/tcp/1/ws',
			'/ip6/fe80::1/tcp/1/ws',
			'/dns4/printer.local/tcp/1/ws'
		])
			expect(denyDial(policy, addr)).toBe(true);
		allowPrivate = true;
		expect(denyDial(policy, '/ip4/192.168.1.5/tcp/1/ws')).toBe(false);
		allowPrivate = false;
	});

	test('public addresses (peers found by routing) are allowed', () => {
		expect(denyDial(policy, '/ip4/8.8.4.4/tcp/443/wss')).toBe(false);
		expect(denyDial(policy, '/dns4/relay.example.org/tcp/443/wss')).toBe(false);
		expect(denyDial(policy, '/p2p-circuit')).toBe(false);
	});
});

describe('isPrivateUrl', () => {
	test('loopback and LAN gateways are private; public ones are not', () => {
		expect(isPrivateUrl('http://127.0.0.1:8995')).toBe(true);
		expect(isPrivateUrl('http://[::1]:8080')).toBe(true);
		expect(isPrivateUrl('http://192.168.1.20')).toBe(true);
		expect(isPrivateUrl('http://localhost:8080')).toBe(true);
		expect(isPrivateUrl('https://trustless-gateway.link')).toBe(false);
		expect(isPrivateUrl('not a url')).toBe(false);
	});
});
