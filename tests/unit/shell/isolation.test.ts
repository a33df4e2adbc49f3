import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from '../../../service-worker/isolation';

describe('service worker isolation headers', () => {
	it('adds COOP, COEP credentialless and CORP, keeping status, body and other headers', async () => {
		const original = new Response('<!doctype html>', {
			status: 200,
			headers: { 'Content-Type': 'text/html', 'X-Keep': '1' }
		});
		const response = withIsolationHeaders(original);
		expect(response.status).toBe(200);
		expect(response.headers.get('x-keep')).toBe('1');
		expect(response.headers.get('content-type')).toBe('text/html');
		for (const [name, value] of Object.entries(ISOLATION_HEADERS))
			expect(response.headers.get(name)).toBe(value);
		expect(response.headers.get('cross-origin-embedder-policy')).toBe('credentialless');
		expect(await response.text()).toBe('<!doctype html>');
	});

	it('returns the same response when the headers are already there', () => {
		const original = new Response('x', { headers: ISOLATION_HEADERS });
		expect(withIsolationHeaders(original)).toBe(original);
	});

	it('keeps bodiless statuses bodiless and leaves error responses alone', () => {
		const notModified = withIsolationHeaders(new Response(null, { status: 304 }));
		expect(notModified.status).toBe(304);
		expect(notModified.headers.get('cross-origin-opener-policy')).toBe('same-origin');
		const error = Response.error();
		expect(withIsolationHeaders(error)).toBe(error);
	});
});
