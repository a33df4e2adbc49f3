import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '$lib/errors';
import { NoticesStore } from '$lib/stores/notices.svelte';

afterEach(() => {
	vi.useRealTimers();
});

describe('NoticesStore', () => {
	it('shows notices in order, dismisses them and drops immediate duplicates', () => {
		const notices = new NoticesStore();
		const a = notices.push({ kind: 'info', message: 'one' });
		const b = notices.push({ kind: 'success', message: 'two' });
		expect(notices.push({ kind: 'success', message: 'two' })).toBe(b);
		expect(notices.items.map((n) => n.message)).toEqual(['one', 'two']);
		notices.dismiss(a);
		expect(notices.items.map((n) => n.id)).toEqual([b]);
		notices.clear();
		expect(notices.items).toHaveLength(0);
	});

	it('lets info go by itself but keeps errors until dismissed', () => {
		vi.useFakeTimers();
		const notices = new NoticesStore();
		notices.push({ kind: 'info', message: 'saved' });
		notices.push({ kind: 'error', message: 'failed' });
		vi.advanceTimersByTime(60_000);
		expect(notices.items.map((n) => n.message)).toEqual(['failed']);
	});

	it("shows an error's user-facing message", () => {
		const notices = new NoticesStore();
		notices.pushError(new AppError('STORAGE_QUOTA', 'The browser ran out of storage space.'));
		expect(notices.items[0]).toMatchObject({
			kind: 'error',
			message: 'The browser ran out of storage space.'
		});
	});
});
