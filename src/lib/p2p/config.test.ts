import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { DEFAULT_IPFS_BOOTSTRAP, DEFAULT_IPFS_ROUTERS, parseConfig } from '../config-parse';

describe('peer configuration (PUBLIC_IPFS_RELAYS, _BOOTSTRAP, _ROUTERS)', () => {
	test('unset or empty: the public defaults (a real deployment works as is)', () => {
		const config = parseConfig({ PUBLIC_IPFS_RELAYS: '' });
		expect(config.ipfsRelays).toEqual(DEFAULT_IPFS_BOOTSTRAP);
		expect(config.ipfsBootstrap).toEqual(DEFAULT_IPFS_BOOTSTRAP);
		expect(config.ipfsRouters).toEqual(DEFAULT_IPFS_ROUTERS);
	});

	test('`none` means none (tests); lists are split on spaces and commas', () => {
		const config = parseConfig({
			PUBLIC_IPFS_RELAYS:
				'/ip4/192.0.2.10/tcp/4003/ws, /dns4/relay.example.org/tcp/443/wss/p2p/12D3KooWRelay',
			PUBLIC_IPFS_BOOTSTRAP: 'none',
			PUBLIC_IPFS_ROUTERS: 'none'
		});
		expect(config.ipfsRelays).toEqual([
			'/ip4/192.0.2.10/tcp/4003/ws',
			'/dns4/relay.example.org/tcp/443/wss/p2p/12D3KooWRelay'
		]);
		expect(config.ipfsBootstrap).toEqual([]);
		expect(config.ipfsRouters).toEqual([]);
	});

	test('a value that is not a multiaddr or URL is CONFIG_INVALID', () => {
		expect(() => parseConfig({ PUBLIC_IPFS_RELAYS: 'relay.example.org:4003' })).toThrow(AppError);
		expect(() => parseConfig({ PUBLIC_IPFS_ROUTERS: 'ftp://router' })).toThrow(
			/PUBLIC_IPFS_ROUTERS/
		);
	});
});
