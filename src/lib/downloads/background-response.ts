/**
 * Chromium's Background Fetch keeps only the CORS-safelisted headers of the responses it stores
 * (status, Content-Length, Content-Type, Cache-Control, Last-Modified): `Content-Range` and
 * `ETag` are gone even when the CDN lists them in `Access-Control-Expose-Headers`. The request
 * asked for the rest of a file from a known byte, so a 206 whose length is exactly that rest gets
 * its `Content-Range` back from the request; anything else is left as it came (the engine then
 * refuses it and fetches the file again). The file's SHA-256 is checked at the end either way.
 */
export function withRequestedRange(response: Response, start: number, size: number): Response {
	if (response.status !== 206 || response.headers.has('content-range') || start >= size)
		return response;
	const length = response.headers.get('content-length');
	if (length === null || Number(length) !== size - start) return response;
	const headers = new Headers(response.headers);
	headers.set('content-range', `bytes ${start}-${size - 1}/${size}`);
	return new Response(response.body, {
		status: 206,
		statusText: response.statusText,
		headers
	});
}
