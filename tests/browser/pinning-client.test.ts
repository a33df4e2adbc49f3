/**
 * The pinning-service client in Chromium against a real Citrate node (tests/ipfs-node/pinning-fixture.ts):
 * pin with origins → pinned; wrong token, service down, service stalled, pin failed → clear
 * AppErrors within bounded time, and nothing kept.
 */
import { afterEach, describe, expect, inject, test } from 'vitest';
import { AppError } from '../../src/lib/errors';
import {
	followPin,
	forgetPinningService,
	loadPinningService,
	normalizeEndpoint,
	PinningClient,
	requestPin,
	savePinningService,
	type FollowProgress
} from '../../src/lib/pinning';

const fx = inject('pinning');
const fast = {
	retryBackoff: { initialMs: 50, maxMs: 200, factor: 2 },
	pollBackoff: { initialMs: 100, maxMs: 500, factor: 1.5 }
};

afterEach(async () => {
	await forgetPinningService();
});

async function errorOf(p: Promise<unknown>): Promise<AppError> {
	try {
		await p;
	} catch (e) {
		expect(e).toBeInstanceOf(AppError);
		return e as AppError;
	}
	throw new Error('expected a rejection');
}

describe('pinning-service client against the Citrate node', () => {
	test('pins a CID from its origin: queued/pinning, then pinned', async () => {
		const client = new PinningClient({ endpoint: fx.url, token: fx.token });
		const seen: FollowProgress[] = [];
		const first = await requestPin(
			client,
			{ cid: fx.cid, name: 'fixture.gguf', origins: [fx.origin] },
			{ ...fast, onProgress: (p) => seen.push(p) }
		);
		expect(['queued', 'pinning', 'pinned']).toContain(first.status);
		const done = await followPin(client, first.requestid, {
			...fast,
			onProgress: (p) => seen.push(p)
		});
		expect(done.status).toBe('pinned');
		expect(done.pin.cid).toBe(fx.cid);
		expect(seen.at(-1)?.status).toBe('pinned');
		const listed = await client.list({ cid: [fx.cid], status: ['pinned'] });
		expect(listed.results.map((r) => r.requestid)).toContain(first.requestid);
		await client.remove(first.requestid);
		expect((await errorOf(client.get(first.requestid))).code).toBe('PINNING_NOT_FOUND');
	});

	test('a pin nobody can provide ends as PINNING_FAILED with the service’s reason', async () => {
		const client = new PinningClient({ endpoint: fx.url, token: fx.token });
		const { requestid } = await requestPin(
			client,
			{ cid: fx.missingCid, origins: [fx.origin] },
			fast
		);
		const error = await errorOf(followPin(client, requestid, fast));
		expect(error.code).toBe('PINNING_FAILED');
		expect(error.message).toMatch(/could not pin this model: no block arrived/);
		await client.remove(requestid);
	});

	test('a wrong token is PINNING_UNAUTHORIZED and is not saved', async () => {
		const error = await errorOf(
			savePinningService({ endpoint: fx.url, token: 'wrong-token-000000000' })
		);
		expect(error.code).toBe('PINNING_UNAUTHORIZED');
		expect(error.message).not.toContain('PINNING_');
		expect(await loadPinningService()).toBeNull();
	});

	test('the right endpoint and token are checked, then kept in the vault', async () => {
		const saved = await savePinningService({ endpoint: ` ${fx.url}/pins/ `, token: fx.token });
		expect(saved.endpoint).toBe(fx.url);
		expect(await loadPinningService()).toEqual({ endpoint: fx.url, token: fx.token });
	});

	test('a service that is down: PINNING_UNAVAILABLE after bounded retries with backoff', async () => {
		const client = new PinningClient({ endpoint: fx.downUrl, token: fx.token });
		const retries: number[] = [];
		const started = performance.now();
		const error = await errorOf(
			requestPin(
				client,
				{ cid: fx.cid },
				{ ...fast, retries: 3, onProgress: (p) => p.retrying && retries.push(p.retrying.inMs) }
			)
		);
		expect(error.code).toBe('PINNING_UNAVAILABLE');
		expect(retries).toEqual([50, 100, 200]);
		expect(performance.now() - started).toBeLessThan(20_000);
	});

	test('a service that never answers: PINNING_UNAVAILABLE after the request time limit', async () => {
		const client = new PinningClient({ endpoint: fx.stalledUrl, token: fx.token, timeoutMs: 500 });
		const error = await errorOf(client.check());
		expect(error.code).toBe('PINNING_UNAVAILABLE');
		expect(error.message).toMatch(/did not answer within/);
		const saveError = await errorOf(
			savePinningService({ endpoint: fx.stalledUrl, token: fx.token }, { timeoutMs: 500 })
		);
		expect(saveError.code).toBe('PINNING_UNAVAILABLE');
		expect(await loadPinningService()).toBeNull();
	});

	test('an address that is not a pinning service, or not a URL, is refused clearly', async () => {
		const notService = await errorOf(
			new PinningClient({ endpoint: inject('hubUrl'), token: fx.token }).check()
		);
		expect([
			'PINNING_BAD_RESPONSE',
			'PINNING_NOT_FOUND',
			'PINNING_REJECTED',
			'PINNING_UNAUTHORIZED'
		]).toContain(notService.code);
		expect(() => normalizeEndpoint('ipfs.example.org')).toThrow(/full URL/);
		expect(() => normalizeEndpoint('http://ipfs.example.org')).toThrow(/https/);
		expect(normalizeEndpoint('https://api.example.org/psa/pins')).toBe(
			'https://api.example.org/psa'
		);
	});
});
