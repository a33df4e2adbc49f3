import { AppError } from '../errors';
import { parseCid } from '../ipfs/cid';
import type { ModelRecord } from '../ipfs/types';

/**
 * What a "Send to another device" link carries: the model's CID, its record (repo, revision,
 * files with sizes and SHA-256s) and how to reach the sending device (its peer id and relay
 * addresses). Nothing else: never a token. It travels in the URL fragment, so it never reaches a
 * server.
 */
export interface ShareOffer {
	cid: string;
	model: ModelRecord;
	peer: { id: string; addrs: string[] };
}

const VERSION = 1;
/** The link's fragment key: `…/receive#offer=<base64url JSON>`. */
const KEY = 'offer=';
const MAX_PAYLOAD = 16 * 1024;
const MAX_FILES = 256;
const MAX_ADDRS = 16;

export function encodeOffer(offer: ShareOffer): string {
	const json = JSON.stringify({
		v: VERSION,
		cid: offer.cid,
		model: {
			repoId: offer.model.repoId,
			revision: offer.model.revision,
			variant: offer.model.variant,
			files: offer.model.files.map(({ path, size, sha256 }) => ({ path, size, sha256 }))
		},
		peer: { id: offer.peer.id, addrs: offer.peer.addrs }
	});
	return base64url(new TextEncoder().encode(json));
}

/** The link for an offer, on this app's `receive` page. */
export function offerLink(base: string, offer: ShareOffer): string {
	const url = new URL('receive', base.endsWith('/') ? base : `${base}/`);
	url.hash = `${KEY}${encodeOffer(offer)}`;
	return url.href;
}

function invalid(why: string): AppError {
	return new AppError(
		'P2P_LINK_INVALID',
		`This is not a valid Citrate share link (${why}). Ask the sender for a new one.`
	);
}

/** Reads a pasted link, its fragment, or the bare encoded offer. Throws `P2P_LINK_INVALID`. */
export function decodeOffer(input: string): ShareOffer {
	let text = input.trim();
	const hash = text.indexOf('#');
	if (hash >= 0) text = text.slice(hash + 1);
	if (text.startsWith(KEY)) text = text.slice(KEY.length);
	if (text.length === 0) throw invalid('it is empty');
	if (text.length > MAX_PAYLOAD) throw invalid('it is too long');
	if (!/^[A-Za-z0-9_-]+$/.test(text)) throw invalid('it has characters a link never has');
	let data: unknown;
	try {
		data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(text)));
	} catch {
		throw invalid('it is cut short or was changed');
	}
	return checkOffer(data);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max = 512): value is string {
	return typeof value === 'string' && value.length > 0 && value.length <= max;
}

function checkOffer(data: unknown): ShareOffer {
	if (!isRecord(data) || data.v !== VERSION) throw invalid('unknown version');
	if (!text(data.cid, 200)) throw invalid('no CID');
	let cid: string;
	try {
		cid = parseCid(data.cid).toString();
	} catch {
		throw invalid('its CID is malformed');
	}
	const model = data.model;
	if (!isRecord(model) || !text(model.repoId) || !text(model.revision) || !text(model.variant))
		throw invalid('its model record is incomplete');
	if (!/^[\w.-]+\/[\w.-]+$/.test(model.repoId)) throw invalid('its repository name is malformed');
	if (!Array.isArray(model.files) || model.files.length === 0 || model.files.length > MAX_FILES)
		throw invalid('it lists no files');
	const files = model.files.map((file: unknown) => {
		if (
			!isRecord(file) ||
			!text(file.path) ||
			file.path.split('/').some((part) => part === '..' || part === '') ||
			typeof file.size !== 'number' ||
			!Number.isSafeInteger(file.size) ||
			file.size < 0 ||
			typeof file.sha256 !== 'string' ||
			!/^[0-9a-f]{64}$/i.test(file.sha256)
		)
			throw invalid('a file entry is malformed');
		return { path: file.path, size: file.size, sha256: file.sha256.toLowerCase() };
	});
	const peer = data.peer;
	if (!isRecord(peer) || !text(peer.id, 128) || !/^[1-9A-HJ-NP-Za-km-z]+$/.test(peer.id))
		throw invalid("the sender's device id is malformed");
	if (!Array.isArray(peer.addrs) || peer.addrs.length === 0 || peer.addrs.length > MAX_ADDRS)
		throw invalid("it has no address for the sender's device");
	const addrs = peer.addrs.map((addr: unknown) => {
		if (!text(addr, 1024) || !addr.startsWith('/')) throw invalid('an address is malformed');
		return addr;
	});
	return {
		cid,
		model: {
			repoId: model.repoId,
			revision: model.revision,
			variant: model.variant,
			files
		},
		peer: { id: peer.id, addrs }
	};
}

function base64url(bytes: Uint8Array): string {
	let binary = '';
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
	const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	const bytes = new Uint8Array(binary.length);
	for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
	return bytes;
}
