import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import {
	RetryableError,
	errorForResponse,
	parseContentRange,
	resolveUrl,
	strongEtag
} from './http';

describe('parseContentRange', () => {
	it('parses byte ranges', () => {
		expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
		expect(parseContentRange('bytes 0-0/*')).toEqual({ start: 0, end: 0, total: null });
	});
	it('rejects malformed or impossible ranges', () => {
		expect(parseContentRange(null)).toBeNull();
		expect(parseContentRange('bytes */1000')).toBeNull();
		expect(parseContentRange('bytes 10-5/100')).toBeNull();
		expect(parseContentRange('bytes 0-100/100')).toBeNull();
	});
});

describe('strongEtag', () => {
	it('drops weak validators', () => {
		expect(strongEtag('"abc"')).toBe('"abc"');
		expect(strongEtag('W/"abc"')).toBeNull();
		expect(strongEtag(null)).toBeNull();
	});
});

describe('resolveUrl', () => {
	it('encodes each path segment and keeps slashes', () => {
		expect(resolveUrl('http://hub/', 'a/b', 'c'.repeat(40), 'dir/x y.gguf')).toBe(
			`http://hub/a/b/resolve/${'c'.repeat(40)}/dir/x%20y.gguf`
		);
	});
});

describe('errorForResponse', () => {
	const response = (status: number, headers: Record<string, string> = {}) =>
		new Response(null, { status, headers });
	it('keeps the Hub reason for gated repos', () => {
		const error = errorForResponse(
			response(403, {
				'X-Error-Code': 'GatedRepo',
				'X-Error-Message':
					'Access to model x/y is restricted and you are not in the authorized list.'
			}),
			'x/y'
		);
		expect(AppError.is(error, 'HUB_GATED')).toBe(true);
		expect(error.message).toContain('not in the authorized list');
	});
	it('retries 429 and 503, honouring Retry-After', () => {
		const error = errorForResponse(response(429, { 'Retry-After': '7' }), 'x/y');
		expect(error).toBeInstanceOf(RetryableError);
		expect((error as RetryableError).retryAfterMs).toBe(7000);
		expect(errorForResponse(response(503), 'x/y')).toBeInstanceOf(RetryableError);
	});
	it('is final for missing files and refused access', () => {
		expect(AppError.is(errorForResponse(response(404), 'x/y'), 'HUB_NOT_FOUND')).toBe(true);
		expect(AppError.is(errorForResponse(response(401), 'x/y'), 'HUB_FORBIDDEN')).toBe(true);
	});
});
