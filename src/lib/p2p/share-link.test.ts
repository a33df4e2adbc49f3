import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { decodeOffer, encodeOffer, offerLink, type ShareOffer } from './share-link';

const offer: ShareOffer = {
	cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
	model: {
		repoId: 'citrate-test/tiny-llama',
		revision: 'a'.repeat(40),
		variant: 'Q8_0',
		files: [{ path: 'tiny-Q8_0.gguf', size: 1234, sha256: 'ab'.repeat(32) }]
	},
	peer: {
		id: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
		addrs: ['/ip4/192.0.2.10/tcp/4001/ws/p2p/12D3KooWRelay/p2p-circuit/webrtc']
	}
};

function code(run: () => unknown): string | undefined {
	try {
		run();
	} catch (error) {
		return error instanceof AppError ? error.code : 'not an AppError';
	}
	return undefined;
}

describe('share links', () => {
	test('a link round-trips to the same offer, from the link, its fragment or the bare payload', () => {
		const link = offerLink('https://citrate.example/app', offer);
		expect(link.startsWith('https://citrate.example/app/receive#offer=')).toBe(true);
		expect(decodeOffer(link)).toEqual(offer);
		expect(decodeOffer(`  ${link.split('#')[1]}  `)).toEqual(offer);
		expect(decodeOffer(encodeOffer(offer))).toEqual(offer);
	});

	test('carries only the CID, the model record and the peer: extra fields (a token) never travel', () => {
		const withToken = { ...offer, token: 'hf_secret', model: { ...offer.model, token: 'x' } };
		const json = new TextDecoder().decode(
			Uint8Array.from(atob(encodeOffer(withToken).replace(/-/g, '+').replace(/_/g, '/')), (c) =>
				c.charCodeAt(0)
			)
		);
		expect(json).not.toContain('hf_secret');
		expect(json).not.toContain('token');
	});

	test('malformed or tampered links are P2P_LINK_INVALID', () => {
		const good = encodeOffer(offer);
		expect(code(() => decodeOffer(''))).toBe('P2P_LINK_INVALID');
		expect(code(() => decodeOffer('https://x/receive#offer='))).toBe('P2P_LINK_INVALID');
		expect(code(() => decodeOffer(good.slice(0, good.length - 7)))).toBe('P2P_LINK_INVALID');
		expect(code(() => decodeOffer(`${good}!`))).toBe('P2P_LINK_INVALID');
		const tamper = (change: (value: Record<string, unknown>) => void) => {
			const value = JSON.parse(JSON.stringify({ v: 1, ...offer })) as Record<string, unknown>;
			change(value);
			const bytes = new TextEncoder().encode(JSON.stringify(value));
			const text = btoa(String.fromCharCode(...bytes))
				.replace(/\+/g, '-')
				.replace(/\//g, '_')
				.replace(/=+$/, '');
			return code(() => decodeOffer(text));
		};
		expect(tamper(() => undefined)).toBeUndefined();
		expect(tamper((v) => (v.cid = 'not-a-cid'))).toBe('P2P_LINK_INVALID');
		expect(tamper((v) => (v.v = 2))).toBe('P2P_LINK_INVALID');
		expect(tamper((v) => ((v.model as ShareOffer['model']).files[0]!.sha256 = 'zz'))).toBe(
			'P2P_LINK_INVALID'
		);
		expect(tamper((v) => ((v.model as ShareOffer['model']).files[0]!.path = '../../etc'))).toBe(
			'P2P_LINK_INVALID'
		);
		expect(tamper((v) => ((v.model as ShareOffer['model']).files[0]!.size = -1))).toBe(
			'P2P_LINK_INVALID'
		);
		expect(tamper((v) => ((v.peer as ShareOffer['peer']).addrs = []))).toBe('P2P_LINK_INVALID');
		expect(tamper((v) => ((v.peer as ShareOffer['peer']).id = 'not base58!'))).toBe(
			'P2P_LINK_INVALID'
		);
	});
});
