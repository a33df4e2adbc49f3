/**
 * The body without its first `count` bytes. A page that hands a job to Background Fetch as it
 * goes away knows the committed bytes from the job's last progress event; the engine may have
 * committed a little more before it stopped, so that response starts before the committed byte,
 * and what is already saved is passed over rather than written twice.
 */
export function skipBytes(
	body: ReadableStream<Uint8Array>,
	count: number
): ReadableStream<Uint8Array> {
	if (count <= 0) return body;
	let left = count;
	return body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				if (left >= chunk.byteLength) {
					left -= chunk.byteLength;
					return;
				}
				controller.enqueue(left > 0 ? chunk.subarray(left) : chunk);
				left = 0;
			}
		})
	);
}
