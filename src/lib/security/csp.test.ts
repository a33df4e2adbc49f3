import { describe, expect, test } from 'vitest';
import {
	AVATAR_ORIGINS,
	REAL_HUB_CDN_ORIGINS,
	buildCsp,
	peerOrigins,
	urlOrigins
} from '../../../csp.config.js';
import { directiveSources, isAllowedByCsp } from './csp';

const EMULATOR = {
	PUBLIC_HF_HUB_URL: 'http://127.0.0.1:8787',
	PUBLIC_HF_OAUTH_ISSUER: 'http://127.0.0.1:8787',
	PUBLIC_HF_CDN_ORIGINS: 'http://127.0.0.1:8788',
	PUBLIC_IPFS_GATEWAYS: 'http://127.0.0.1:8975/, http://127.0.0.1:8976',
	PUBLIC_IPFS_RELAYS: '/ip4/192.0.2.10/tcp/4003/ws/p2p/12D3KooWExample',
	PUBLIC_IPFS_BOOTSTRAP: 'none',
	PUBLIC_IPFS_ROUTERS: 'none'
};

/** The policy as SvelteKit writes it into the page (quotes around keywords). */
function serialize(csp: ReturnType<typeof buildCsp>): string {
	const keywords = new Set(['self', 'none', 'unsafe-inline', 'wasm-unsafe-eval']);
	return Object.entries(csp!.directives!)
		.map(([name, sources]) =>
			[name, ...(sources as string[]).map((s) => (keywords.has(s) ? `'${s}'` : s))].join(' ')
		)
		.join('; ');
}

describe('csp.config.js', () => {
	test('a loopback Hub gets exactly its configured origins, no port wildcard', () => {
		const { directives } = buildCsp(EMULATOR)!;
		expect(directives!['connect-src']).toEqual([
			'self',
			'data:',
			'blob:',
			'http://127.0.0.1:8787',
			'http://127.0.0.1:8788',
			'http://127.0.0.1:8975',
			'http://127.0.0.1:8976',
			'ws://192.0.2.10:4003'
		]);
		expect(directives!['img-src']).toEqual([
			'self',
			'data:',
			'blob:',
			'http://127.0.0.1:8787',
			'http://127.0.0.1:8788',
			...AVATAR_ORIGINS
		]);
		const policy = serialize(buildCsp(EMULATOR));
		expect(policy).not.toContain(':*');
		expect(isAllowedByCsp('http://127.0.0.1:9999/steal', policy)).toBe(false);
		expect(isAllowedByCsp('http://localhost:8787/api/models', policy)).toBe(false);
		expect(isAllowedByCsp('http://127.0.0.1:8788/file', policy)).toBe(true);
	});

	test('the real Hub by default; port wildcards and non-URLs are build errors', () => {
		const { directives } = buildCsp({ PUBLIC_HF_HUB_URL: 'https://huggingface.co' })!;
		expect(directives!['connect-src']).toEqual([
			'self',
			'data:',
			'blob:',
			'https://huggingface.co',
			...REAL_HUB_CDN_ORIGINS,
			// The public IPFS network (the peer's default relays and bootstrap peers) can be anywhere.
			'wss:',
			'https://cloudflare-dns.com',
			'https://dns.google',
			'https://delegated-ipfs.dev'
		]);
		expect(() => urlOrigins('http://127.0.0.1:*')).toThrow(/wildcard/);
		expect(() => urlOrigins('http://*:8080')).toThrow(/wildcard/);
		expect(() => urlOrigins('not a url')).toThrow(/not a URL/);
		expect(() => urlOrigins('ftp://x.example')).toThrow(/ws/);
	});

	test('the peer lists its configured relays and nodes exactly; `none` adds nothing', () => {
		expect(
			peerOrigins({
				PUBLIC_IPFS_RELAYS: '/dns4/node.example.org/tcp/443/wss/p2p/x /ip4/10.0.0.2/tcp/4003/ws',
				PUBLIC_IPFS_BOOTSTRAP: '/dns4/boot.example/tcp/4001/tls/ws',
				PUBLIC_IPFS_ROUTERS: 'https://router.example/routing/v1'
			})
		).toEqual([
			'wss://node.example.org:443',
			'ws://10.0.0.2:4003',
			'wss://boot.example:4001',
			'https://router.example'
		]);
		expect(
			peerOrigins({
				PUBLIC_IPFS_RELAYS: 'none',
				PUBLIC_IPFS_BOOTSTRAP: 'none',
				PUBLIC_IPFS_ROUTERS: 'none'
			})
		).toEqual([]);
	});

	test('a feature adds its origins in one entry (WebSocket peers included)', () => {
		const relay = {
			feature: 'IPFS relay',
			directives: ['connect-src' as const],
			origins: (env: Record<string, string | undefined>) => urlOrigins(env.RELAYS)
		};
		const csp = buildCsp({ ...EMULATOR, RELAYS: 'wss://relay.example:4003/p2p/x' }, [relay]);
		expect(csp!.directives!['connect-src']).toEqual([
			'self',
			'data:',
			'blob:',
			'wss://relay.example:4003'
		]);
		expect(csp!.directives!['img-src']).toEqual(['self', 'data:', 'blob:']);
	});
});

describe('isAllowedByCsp', () => {
	const policy =
		"default-src 'self'; connect-src 'self' https://pin.example wss://relay.example:4003 https://*.hf.co blob:";
	test('matches origins as the browser does', () => {
		expect(directiveSources(policy, 'img-src')).toEqual(["'self'"]);
		expect(isAllowedByCsp('https://pin.example/pins', policy)).toBe(true);
		expect(isAllowedByCsp('https://pin.example:8443/pins', policy)).toBe(false);
		expect(isAllowedByCsp('http://pin.example/pins', policy)).toBe(false);
		expect(isAllowedByCsp('wss://relay.example:4003/', policy)).toBe(true);
		expect(isAllowedByCsp('https://cdn-lfs-eu-1.hf.co/x', policy)).toBe(true);
		expect(isAllowedByCsp('https://hf.co.evil.example/x', policy)).toBe(false);
		expect(isAllowedByCsp('https://other.example/', policy)).toBe(false);
		expect(isAllowedByCsp('blob:https://app.example/1', policy)).toBe(true);
		expect(
			isAllowedByCsp('https://app.example/x', policy, 'connect-src', 'https://app.example')
		).toBe(true);
		expect(isAllowedByCsp('not a url', policy)).toBe(false);
	});
});
