import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CarWriter } from '@ipld/car';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';

/**
 * A local trustless gateway for tests (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * `GET /ipfs/<cid>` answers a single block (`?format=raw` or `Accept: application/vnd.ipld.raw`)
 * or the whole DAG as a CAR (`?format=car` or `Accept: application/vnd.ipld.car`). Content is
 * added over HTTP with kubo's `--cid-version=1 --raw-leaves` settings.
 *
 * Control API (CORS open):
 *   POST /__gateway/add?name=<file>           body: bytes → { cid, size }
 *   POST /__gateway/add-directory             body: JSON { files: [{ name, base64 }] } → { cid, files: [{ name, cid, size }] }
 *   POST /__gateway/faults                    body: JSON { wrongBlock: <cid> | 'leaf:<n>', times? } (serves other bytes for it)
 *                                             or { delayBlock: <cid> | 'leaf:<n>', delayMs, times? } (answers it late)
 *   DELETE /__gateway/faults
 *   GET|DELETE /__gateway/requests            log of block/CAR requests
 *   POST /__gateway/reset                     drops content, faults and the log
 */
export interface IpfsGateway {
	url: string;
	close(): Promise<void>;
}

interface Fault {
	wrongBlock: string;
	times: number;
}

interface Delay {
	delayBlock: string;
	delayMs: number;
	times: number;
}

const importOptions = {
	cidVersion: 1 as const,
	rawLeaves: true,
	chunker: fixedSize({ chunkSize: 262_144 }),
	layout: balanced({ maxChildrenPerNode: 174 })
};

export async function startIpfsGateway(
	options: { port?: number; host?: string } = {}
): Promise<IpfsGateway> {
	let blockstore = new MemoryBlockstore();
	let leaves: string[] = [];
	let faults: Fault[] = [];
	let delays: Delay[] = [];
	let requests: { time: number; method: string; url: string; accept: string | undefined }[] = [];

	async function getBlock(cid: CID): Promise<Uint8Array | undefined> {
		if (!(await blockstore.has(cid))) return undefined;
		const parts: Uint8Array[] = [];
		for await (const part of blockstore.get(cid)) parts.push(part);
		return Buffer.concat(parts);
	}

	async function add(files: { name: string; bytes: Uint8Array }[], wrap: boolean) {
		const results: { name: string; cid: string; size: number }[] = [];
		let root: string | undefined;
		const tracking = {
			put: async (
				cid: CID,
				bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>
			) => {
				if (cid.code === raw.code) leaves.push(cid.toString());
				return blockstore.put(cid, bytes);
			}
		};
		for await (const entry of importer(
			files.map((file) => ({ path: file.name, content: file.bytes })),
			tracking,
			{ ...importOptions, wrapWithDirectory: wrap }
		)) {
			if (wrap && entry.path === '') root = entry.cid.toString();
			else
				results.push({
					name: entry.path ?? '',
					cid: entry.cid.toString(),
					size: Number(entry.unixfs?.fileSize() ?? entry.size)
				});
		}
		return { root, results };
	}

	function names(cid: CID, target: string): boolean {
		const text = cid.toString();
		if (target === text) return true;
		const match = /^leaf:(\d+)$/.exec(target);
		return match !== null && leaves[Number(match[1])] === text;
	}

	async function delayFor(cid: CID): Promise<void> {
		const delay = delays.find((d) => d.times > 0 && names(cid, d.delayBlock));
		if (!delay) return;
		delay.times--;
		await new Promise((resolve) => setTimeout(resolve, delay.delayMs));
	}

	function wrongBytesFor(cid: CID, bytes: Uint8Array): Uint8Array | undefined {
		const fault = faults.find((f) => f.times > 0 && names(cid, f.wrongBlock));
		if (!fault) return undefined;
		fault.times--;
		const wrong = Uint8Array.from(bytes);
		wrong[Math.floor(wrong.length / 2)] = (wrong[Math.floor(wrong.length / 2)] ?? 0) ^ 0xff;
		if (wrong.length === 0) return Uint8Array.of(1);
		return wrong;
	}

	async function carOf(root: CID): Promise<Uint8Array> {
		const { writer, out } = CarWriter.create([root]);
		const chunks: Uint8Array[] = [];
		const drained = (async () => {
			for await (const chunk of out) chunks.push(chunk);
		})();
		const stack = [root];
		while (stack.length > 0) {
			const cid = stack.pop() as CID;
			const bytes = await getBlock(cid);
			if (!bytes) throw new Error(`missing block ${cid.toString()}`);
			await writer.put({ cid, bytes: wrongBytesFor(cid, bytes) ?? bytes });
			if (cid.code === dagPb.code) {
				const links = dagPb.decode(bytes).Links;
				for (let index = links.length - 1; index >= 0; index--) stack.push(links[index]!.Hash);
			}
		}
		await writer.close();
		await drained;
		return Buffer.concat(chunks);
	}

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		response.setHeader('Access-Control-Allow-Origin', '*');
		response.setHeader('Access-Control-Allow-Headers', '*');
		response.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, DELETE, OPTIONS');
		response.setHeader(
			'Access-Control-Expose-Headers',
			'Content-Type, Content-Length, X-Ipfs-Path'
		);
		response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
		if (request.method === 'OPTIONS') return void response.writeHead(204).end();
		const url = new URL(request.url ?? '/', 'http://gateway');
		const json = (status: number, body: unknown) => {
			response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
		};
		if (url.pathname.startsWith('/__gateway/')) {
			const action = url.pathname.slice('/__gateway/'.length);
			if (action === 'add' && request.method === 'POST') {
				const bytes = await readBody(request);
				const name = url.searchParams.get('name') ?? 'file';
				const { results } = await add([{ name, bytes }], false);
				return json(200, { cid: results[0]?.cid, size: bytes.byteLength });
			}
			if (action === 'add-directory' && request.method === 'POST') {
				const body = JSON.parse(Buffer.from(await readBody(request)).toString('utf8')) as {
					files: { name: string; base64: string }[];
				};
				const files = body.files.map((file) => ({
					name: file.name,
					bytes: new Uint8Array(Buffer.from(file.base64, 'base64'))
				}));
				const { root, results } = await add(files, true);
				return json(200, { cid: root, files: results });
			}
			if (action === 'faults' && request.method === 'POST') {
				const body = JSON.parse(Buffer.from(await readBody(request)).toString('utf8')) as Partial<
					Fault & Delay
				>;
				const times = body.times ?? Number.POSITIVE_INFINITY;
				if (body.delayBlock && typeof body.delayMs === 'number') {
					delays.push({ delayBlock: body.delayBlock, delayMs: body.delayMs, times });
					return json(200, { ok: true });
				}
				if (!body.wrongBlock) return json(400, { error: 'wrongBlock or delayBlock required' });
				faults.push({ wrongBlock: body.wrongBlock, times });
				return json(200, { ok: true });
			}
			if (action === 'faults' && request.method === 'DELETE') {
				faults = [];
				delays = [];
				return json(200, { ok: true });
			}
			if (action === 'requests' && request.method === 'GET') return json(200, requests);
			if (action === 'requests' && request.method === 'DELETE') {
				requests = [];
				return json(200, { ok: true });
			}
			if (action === 'reset' && request.method === 'POST') {
				blockstore = new MemoryBlockstore();
				leaves = [];
				faults = [];
				delays = [];
				requests = [];
				return json(200, { ok: true });
			}
			return json(404, { error: 'unknown control endpoint' });
		}
		const match = /^\/ipfs\/([^/]+)\/?$/.exec(url.pathname);
		if (!match || (request.method !== 'GET' && request.method !== 'HEAD'))
			return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
		const accept = request.headers.accept;
		requests.push({
			time: Date.now(),
			method: request.method,
			url: url.pathname + url.search,
			accept
		});
		let cid: CID;
		try {
			cid = CID.parse(match[1] as string);
		} catch {
			return void response.writeHead(400, { 'Content-Type': 'text/plain' }).end('invalid CID');
		}
		const format =
			url.searchParams.get('format') ??
			(accept?.includes('application/vnd.ipld.raw')
				? 'raw'
				: accept?.includes('application/vnd.ipld.car')
					? 'car'
					: undefined);
		if (format !== 'raw' && format !== 'car')
			return void response
				.writeHead(406, { 'Content-Type': 'text/plain' })
				.end('trustless gateway: ask for application/vnd.ipld.raw or application/vnd.ipld.car');
		const bytes = await getBlock(cid);
		if (!bytes)
			return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end('block not found');
		await delayFor(cid);
		const body = format === 'raw' ? (wrongBytesFor(cid, bytes) ?? bytes) : await carOf(cid);
		response.writeHead(200, {
			'Content-Type':
				format === 'raw' ? 'application/vnd.ipld.raw' : 'application/vnd.ipld.car; version=1',
			'Content-Length': String(body.byteLength),
			'X-Ipfs-Path': `/ipfs/${cid.toString()}`,
			'Cache-Control': 'no-store',
			Vary: 'Accept'
		});
		response.end(request.method === 'HEAD' ? undefined : body);
	}

	const server = createServer((request, response) => {
		handle(request, response).catch((error: unknown) => {
			if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
			response.end(String(error));
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return new Uint8Array(Buffer.concat(chunks));
}
