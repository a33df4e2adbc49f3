import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { DownloadsStore } from '../stores/downloads.svelte';
import type { DownloadBackend } from './client';
import type { DownloadEvent, DownloadJobSnapshot } from './types';

function job(overrides: Partial<DownloadJobSnapshot> = {}): DownloadJobSnapshot {
	return {
		id: 'o/r@c:q',
		repoId: 'o/r',
		revision: 'c'.repeat(40),
		variantKey: 'q',
		variantLabel: 'Q4_K_M',
		state: 'downloading',
		totalBytes: 1000,
		receivedBytes: 0,
		shards: [],
		error: null,
		notice: null,
		waiting: null,
		updatedAt: 1,
		...overrides
	};
}

/** A backend that records calls and lets the test send engine events. */
function fakeBackend(start: () => Promise<DownloadJobSnapshot[]> = async () => [job()]) {
	const listeners = new Set<(event: DownloadEvent) => void>();
	const calls: string[] = [];
	const ok = async () => [] as DownloadJobSnapshot[];
	const backend: DownloadBackend = {
		start: () => (calls.push('start'), start()),
		pause: (id) => (calls.push(`pause ${id}`), ok()),
		resume: (id) => (calls.push(`resume ${id}`), ok()),
		retry: (id) => (calls.push(`retry ${id}`), ok()),
		cancel: (id) => (calls.push(`cancel ${id}`), ok()),
		deleteModel: (id) => (calls.push(`delete ${id}`), ok()),
		setConcurrency: (n) => (calls.push(`concurrency ${n}`), ok()),
		list: ok,
		toBackground: (id) => (calls.push(`background ${id}`), ok()),
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		}
	};
	return { backend, calls, emit: (event: DownloadEvent) => listeners.forEach((l) => l(event)) };
}

function store(backend: DownloadBackend, clock: { now: number; wall?: number }) {
	return new DownloadsStore({
		backend: () => backend,
		listModels: async () => [],
		storageStatus: async () => ({ usage: 10, quota: 100, persisted: false }),
		requestPersistence: async () => true,
		loadConcurrency: async () => 2,
		saveConcurrency: async () => {},
		now: () => clock.now,
		wallNow: () => clock.wall ?? clock.now
	});
}

describe('DownloadsStore', () => {
	it('follows engine events and measures speed and ETA', async () => {
		const fake = fakeBackend();
		const clock = { now: 0 };
		const downloads = store(fake.backend, clock);
		const stop = downloads.start();
		await downloads.refresh();
		expect(downloads.concurrency).toBe(2);
		expect(downloads.storage).toEqual({ usage: 10, quota: 100, persisted: false });
		fake.emit({ type: 'state', job: job({ receivedBytes: 0 }) });
		clock.now = 1000;
		fake.emit({ type: 'progress', job: job({ receivedBytes: 400, updatedAt: 2 }) });
		expect(downloads.job('o/r@c:q')?.receivedBytes).toBe(400);
		expect(downloads.speed('o/r@c:q')).toBe(400);
		expect(downloads.eta('o/r@c:q')).toBe(1.5);
		fake.emit({ type: 'removed', id: 'o/r@c:q' });
		expect(downloads.jobs).toEqual([]);
		stop();
		// Unsubscribed: further events are ignored.
		fake.emit({ type: 'state', job: job() });
		expect(downloads.jobs).toEqual([]);
	});

	it('keeps a refused request’s error for that variant, and clears it on retry', async () => {
		const fake = fakeBackend(async () => {
			throw new AppError('STORAGE_QUOTA', 'Not enough storage');
		});
		const downloads = store(fake.backend, { now: 0 });
		const request = {
			repoId: 'o/r',
			revision: 'c'.repeat(40),
			variant: { key: 'q', label: 'Q', files: [] }
		};
		await expect(downloads.download(request, 'o/r@c:q')).rejects.toMatchObject({
			code: 'STORAGE_QUOTA'
		});
		expect(downloads.error('o/r@c:q')?.code).toBe('STORAGE_QUOTA');
		await downloads.retry('o/r@c:q');
		expect(downloads.error('o/r@c:q')).toBeNull();
		expect(fake.calls).toEqual(['start', 'retry o/r@c:q']);
	});

	it('tells the truth when nothing arrives: speed and ETA from recent bytes only, then waiting', async () => {
		const fake = fakeBackend();
		const clock = { now: 0 };
		const downloads = store(fake.backend, clock);
		const stop = downloads.start();
		await downloads.refresh();
		const id = 'o/r@c:q';
		fake.emit({ type: 'state', job: job({ receivedBytes: 0 }) });
		clock.now = 2000;
		fake.emit({ type: 'progress', job: job({ receivedBytes: 400, updatedAt: 2 }) });
		expect(downloads.status(id)?.headline).toBe('Downloading');
		expect(downloads.status(id)?.summary).toContain('/s');
		// The network goes silent: no event comes, only the clock moves.
		clock.now = 8000;
		downloads.tick();
		expect(downloads.speed(id)).toBeLessThan(100);
		clock.now = 12_000;
		downloads.tick();
		expect(downloads.speed(id)).toBe(0);
		expect(downloads.eta(id)).toBeNull();
		expect(downloads.status(id)).toMatchObject({
			headline: 'Waiting for the network',
			troubled: true
		});
		expect(downloads.status(id)?.summary).not.toMatch(/\/s|left/);
		stop();
	});

	it('says when the Hub is busy and counts down to the retry', async () => {
		const fake = fakeBackend();
		const clock = { now: 0, wall: 1_000_000 };
		const downloads = store(fake.backend, clock);
		const stop = downloads.start();
		await downloads.refresh();
		const waiting = { reason: 'busy' as const, retryAt: 1_004_000 };
		fake.emit({ type: 'state', job: job({ waiting, updatedAt: 2 }) });
		expect(downloads.status('o/r@c:q')?.headline).toBe('The Hub is busy: retrying in 4 s');
		clock.wall = 1_002_500;
		downloads.tick();
		expect(downloads.status('o/r@c:q')?.headline).toBe('The Hub is busy: retrying in 2 s');
		stop();
	});
});
