/// <reference lib="webworker" />
/**
 * The service worker of the Background Fetch run of `npm run bench:download`: the app's own
 * `DownloadEngine` and `installBackgroundFetch` (the code `service-worker/downloads/` runs), over
 * the bench's Hub emulator (`?hub=` in this script's URL). The page drives it with messages (a
 * MessagePort for the answer); it reports the moments that matter on a BroadcastChannel.
 */
import { installBackgroundFetch } from '../service-worker/downloads/background';
import { DownloadEngine } from '../src/lib/downloads/engine';
import { idbJobStore } from '../src/lib/downloads/job-store';
import { deleteLocalModel, registerLocalModel } from '../src/lib/storage/models';
import { opfsRoot } from '../src/lib/storage/opfs';
import { toAppError } from '../src/lib/errors';
import { BENCH_CHANNEL, type BenchCommand, type BenchReport } from './download-protocol';

declare const self: ServiceWorkerGlobalScope;

const hubUrl = new URL(self.location.href).searchParams.get('hub') ?? '';
const channel = new BroadcastChannel(BENCH_CHANNEL);
const report = (message: BenchReport) => channel.postMessage(message);

/**
 * While a job is being handed over, the engine's requests wait until the hand-over stops them:
 * the browser then carries every byte of the file, the same bytes as the bench's other runs.
 */
let holding = false;
const heldFetch: typeof fetch = (input, init) =>
	holding
		? new Promise((_, reject) => {
				const signal = init?.signal;
				if (signal?.aborted) reject(signal.reason);
				signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
			})
		: fetch(input, init);

const engine = new DownloadEngine({
	hubUrl,
	fetch: heldFetch,
	authHeaders: async () => ({}),
	root: opfsRoot,
	jobs: idbJobStore('citrate-bench-background'),
	models: { register: registerLocalModel, remove: deleteLocalModel },
	emit: (event) => {
		if (event.type !== 'state') return;
		const { job } = event;
		if (job.state === 'done' || job.state === 'failed')
			report({
				type: 'ended',
				id: job.id,
				state: job.state,
				error: job.error ? `${job.error.code}: ${job.error.message}` : null,
				at: Date.now()
			});
	},
	estimate: () => navigator.storage.estimate(),
	settings: { concurrency: 1 }
});
const ready = engine.init();

// Registered before the app's handler: the moment the browser says every byte is in.
self.addEventListener('backgroundfetchsuccess', (event) => {
	const id = (event as Event & { registration: { id: string } }).registration.id;
	report({ type: 'fetched', id: id.replace(/^citrate-download:/, ''), at: Date.now() });
});
const background = installBackgroundFetch(self, engine, {
	hubUrl,
	authHeaders: async () => ({}),
	estimate: () => navigator.storage.estimate(),
	ready
});

async function run(command: BenchCommand): Promise<unknown> {
	await ready;
	switch (command.op) {
		case 'start':
			holding = true;
			return (await engine.start(command.request)).id;
		case 'prepare':
			try {
				return await background.prepare(command.id);
			} finally {
				holding = false;
			}
		case 'started':
			return background.started(command.id);
		case 'failed':
			return background.failed(command.id, command.message);
		case 'deleteModel':
			return engine.deleteModel(command.id);
		case 'list':
			return (await engine.list()).map((job) => ({
				state: job.state,
				received: job.receivedBytes,
				error: job.error?.message ?? null,
				notice: job.notice?.message ?? null
			}));
	}
}

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
	const port = event.ports[0];
	event.waitUntil(
		run(event.data as BenchCommand).then(
			(value) => port?.postMessage({ ok: true, value }),
			(error: unknown) => port?.postMessage({ ok: false, error: toAppError(error).message })
		)
	);
});
