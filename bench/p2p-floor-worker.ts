/// <reference lib="webworker" />
/**
 * The floor's worker (`npm run bench:p2p`, variant `floor`): the least any browser app must do
 * with a model it receives to keep it and check it against its SHA-256 — every leaf written into
 * an OPFS file at its offset (a sync access handle: workers only) and the file hashed in order
 * (hash-wasm: WebCrypto has no incremental digest). No Citrate code.
 */
import { createSHA256, type IHasher } from 'hash-wasm';

type Message =
	| { type: 'open'; name: string }
	| { type: 'leaf'; buffer: ArrayBuffer; offset: number }
	| { type: 'close' };

let root: FileSystemDirectoryHandle | undefined;
let name = '';
let handle: FileSystemSyncAccessHandle | undefined;
let hasher: IHasher | undefined;
/** Leaves that came before the one the hash needs next, by offset. */
const waiting = new Map<number, Uint8Array>();
let hashed = 0;

self.onmessage = async (event: MessageEvent<Message>) => {
	const message = event.data;
	if (message.type === 'open') {
		name = message.name;
		root = await navigator.storage.getDirectory();
		const file = await root.getFileHandle(name, { create: true });
		handle = await file.createSyncAccessHandle();
		handle.truncate(0);
		hasher = await createSHA256();
		hasher.init();
		waiting.clear();
		hashed = 0;
		self.postMessage({ type: 'opened' });
	} else if (message.type === 'leaf') {
		const bytes = new Uint8Array(message.buffer);
		handle!.write(bytes, { at: message.offset });
		waiting.set(message.offset, bytes);
		for (let next = waiting.get(hashed); next; next = waiting.get(hashed)) {
			waiting.delete(hashed);
			hasher!.update(next);
			hashed += next.byteLength;
		}
	} else {
		handle!.flush();
		handle!.close();
		await root!.removeEntry(name);
		self.postMessage({ type: 'closed', sha256: hasher!.digest('hex'), bytes: hashed });
	}
};
