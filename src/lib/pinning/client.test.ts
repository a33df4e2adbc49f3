import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { PinningClient } from './client';

/**
 * A service that refuses the token with 403 (the Citrate node answers 401; some services answer
 * 403, e.g. a token without the pinning scope): a real HTTP server on a free loopback port.
 */
let server: Server;
let url = '';

beforeAll(async () => {
	server = createServer((_req, res) => {
		res.writeHead(403, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ error: { reason: 'FORBIDDEN', details: 'token lacks pin scope' } }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

describe('pinning client', () => {
	test('a 403 is PINNING_UNAUTHORIZED with a message in words, the service’s reason in details', async () => {
		const error = await new PinningClient({ endpoint: url, token: 'a-token-of-16-chars' })
			.check()
			.then(
				() => null,
				(e: unknown) => e
			);
		expect(AppError.is(error, 'PINNING_UNAUTHORIZED')).toBe(true);
		const appError = error as AppError;
		expect(appError.message).toMatch(/refused the access token/);
		expect(appError.message).not.toContain('PINNING_');
		expect(JSON.stringify(appError.details)).toContain('403');
	});
});
