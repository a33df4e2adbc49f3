/** Shared bits for the emulator's own Node tests. */
import { createHash } from 'node:crypto';
import { startHubEmulator, type HubEmulator } from './server';

export const ALICE_TOKEN = 'hf_AliceReadToken0123456789abcdefghij';
export const BOB_TOKEN = 'hf_BobReadTokenXX0123456789abcdefghij';

export function startTestHub(): Promise<HubEmulator> {
	return startHubEmulator({ port: 0, cdnPort: 0 });
}

export function sha256Hex(data: ArrayBuffer | Uint8Array): string {
	return createHash('sha256')
		.update(data instanceof Uint8Array ? data : new Uint8Array(data))
		.digest('hex');
}

export async function controlPost(hubUrl: string, path: string, body: unknown, method = 'POST') {
	const res = await fetch(`${hubUrl}/__emulator/${path}`, {
		method,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as unknown;
}

export function bearer(token: string): Record<string, string> {
	return { Authorization: `Bearer ${token}` };
}
