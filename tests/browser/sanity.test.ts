import { expect, test } from 'vitest';
test('browser has WebCrypto and OPFS', async () => {
	expect(typeof crypto.subtle.generateKey).toBe('function');
	const root = await navigator.storage.getDirectory();
	expect(root.kind).toBe('directory');
});
