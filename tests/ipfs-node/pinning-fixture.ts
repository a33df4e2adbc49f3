/**
 * What the browser and e2e tests of remote pinning need, on free loopback ports:
 * a real Citrate node serving the Pinning Service API, a Helia peer in Node holding
 * a file (the pins' `origins`), a CID nobody has, a service that accepts connections
 * and never answers, and the URL of a service that is down.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCitrateNode } from '../../scripts/ipfs-node/node';
import { addFile, bytes, rawCid, startTestPeer } from './peers';

export interface PinningFixture {
	url: string;
	token: string;
	/** The origin peer's WebSockets multiaddr. */
	origin: string;
	/** A ~600 KB UnixFS file the origin holds. */
	cid: string;
	/** A CID nobody provides. */
	missingCid: string;
	stalledUrl: string;
	downUrl: string;
	close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
		)
	);
}

export async function startPinningFixture(): Promise<PinningFixture> {
	const token = 'fixture-token-' + Math.random().toString(36).slice(2).padEnd(12, '0');
	const node = await startCitrateNode({
		tcpPort: false,
		pinningApi: { port: 0, token, stallTimeoutMs: 3000 }
	});
	const origin = await startTestPeer();
	const { cid } = await addFile(origin, bytes(600_000, 42));
	const missingCid = (await rawCid(bytes(64, 4242))).toString();
	const held = new Set<import('node:http').ServerResponse>();
	const stalled = createServer((_req, res) => void held.add(res));
	const stalledUrl = await listen(stalled);
	const down = createServer();
	const downUrl = await listen(down);
	await new Promise((r) => down.close(r));
	return {
		url: node.pinningApiUrl!,
		token,
		origin: origin.multiaddrs.find((a) => a.includes('/ws/'))!,
		cid: cid.toString(),
		missingCid,
		stalledUrl,
		downUrl,
		async close() {
			for (const r of held) r.destroy();
			stalled.closeAllConnections();
			await new Promise((r) => stalled.close(r));
			await origin.stop();
			await node.stop();
		}
	};
}
