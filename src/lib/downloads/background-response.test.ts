import { describe, expect, it } from 'vitest';
import { parseContentRange } from './http';
import { withRequestedRange } from './background-response';

const partial = (length: number | null, extra: Record<string, string> = {}, status = 206) =>
	new Response(new Uint8Array(length ?? 3), {
		status,
		headers: { ...(length === null ? {} : { 'content-length': String(length) }), ...extra }
	});

describe('withRequestedRange', () => {
	it('gives a 206 without Content-Range (Background Fetch dropped it) the range it asked for', async () => {
		const restored = withRequestedRange(partial(600), 400, 1000);
		expect(restored.status).toBe(206);
		expect(parseContentRange(restored.headers.get('content-range'))).toEqual({
			start: 400,
			end: 999,
			total: 1000
		});
		expect((await restored.arrayBuffer()).byteLength).toBe(600);
	});

	it('leaves alone what does not match the request: another length, no length, a 200, a range it has', () => {
		for (const response of [
			partial(599),
			partial(null),
			partial(1000, {}, 200),
			partial(600, { 'content-range': 'bytes 400-999/1000' })
		])
			expect(withRequestedRange(response, 400, 1000)).toBe(response);
	});
});
