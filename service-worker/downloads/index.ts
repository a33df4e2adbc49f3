/// <reference lib="webworker" />
import { config } from '$lib/config';
import { hubAuthHeaders, readAccessToken } from '$lib/auth';
import { DownloadEngine } from '$lib/downloads/engine';
import { idbJobStore } from '$lib/downloads/job-store';
import {
	DOWNLOAD_MESSAGE_TAG,
	isDownloadCommandMessage,
	type DownloadCommand,
	type DownloadEvent,
	type DownloadEventMessage,
	type DownloadReply
} from '$lib/downloads/types';
import { toAppError } from '$lib/errors';
import { loadConcurrency } from '$lib/downloads/settings';
import { deleteLocalModel, registerLocalModel } from '$lib/storage/models';
import { opfsRoot } from '$lib/storage/opfs';
import { installBackgroundFetch } from './background';

/**
 * The download engine's home: one engine per origin, so one download per file whatever the
 * number of tabs. Pages talk to it with `DownloadCommandMessage`s (a MessagePort for the reply);
 * every event goes to every window. A job that was running when the worker stopped is picked up
 * as soon as the worker starts again (any event: a page's keep-alive ping, a navigation).
 */
/**
 * Only one engine may write model files: while an update waits, the old and the new worker both
 * run. The engine starts once it holds this lock (held until its worker is gone).
 */
function holdEngineLock(): Promise<void> {
	const locks = (navigator as WorkerNavigator & { locks?: LockManager }).locks;
	if (!locks) return Promise.resolve();
	return new Promise((granted) => {
		void locks.request('citrate-download-engine', () => {
			granted();
			return new Promise<never>(() => {});
		});
	});
}

export function installDownloadEngine(sw: ServiceWorkerGlobalScope): DownloadEngine {
	const broadcast = async (event: DownloadEvent) => {
		const message: DownloadEventMessage = { tag: DOWNLOAD_MESSAGE_TAG, event };
		const clients = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
		for (const client of clients) client.postMessage(message);
	};
	const authHeaders = async (url: string) =>
		hubAuthHeaders(url, config.hubUrl, await readAccessToken());
	const engine = new DownloadEngine({
		hubUrl: config.hubUrl,
		authHeaders,
		root: opfsRoot,
		jobs: idbJobStore(),
		models: { register: registerLocalModel, remove: deleteLocalModel },
		emit: (event) => void broadcast(event).catch(() => {}),
		estimate: () => navigator.storage.estimate()
	});

	const starting = (async () => {
		await holdEngineLock();
		try {
			engine.setConcurrency(await loadConcurrency());
		} catch {
			// Keep the default.
		}
		await engine.init();
	})();

	const background = installBackgroundFetch(sw, engine, {
		hubUrl: config.hubUrl,
		authHeaders,
		estimate: () => navigator.storage.estimate(),
		ready: starting
	});

	const handle = async (command: DownloadCommand, sender?: string): Promise<DownloadReply> => {
		await starting;
		if (command.op !== 'handedOver') await background.pageSeen();
		switch (command.op) {
			case 'start':
				await engine.start(command.request);
				break;
			case 'pause':
				// The engine first (the job leaves Background Fetch), then the browser's transfer.
				await engine.pause(command.id);
				await background.abort(command.id);
				break;
			case 'resume':
			case 'retry':
				await engine.resume(command.id);
				break;
			case 'cancel':
			case 'remove':
				await engine.cancel(command.id);
				await background.abort(command.id);
				break;
			case 'deleteModel':
				await engine.deleteModel(command.id);
				break;
			case 'setConcurrency':
				engine.setConcurrency(command.value);
				break;
			case 'toBackground': {
				const plan = await background.prepare(command.id);
				return { ok: true, jobs: await engine.list(), plan };
			}
			case 'backgroundStarted':
				await background.started(command.id);
				break;
			case 'backgroundFailed':
				await background.failed(command.id, command.message);
				break;
			case 'standby':
				return {
					ok: true,
					jobs: await engine.list(),
					standby: await background.standby(command.id)
				};
			case 'handedOver':
				await background.handedOver(command.id, command.fetchId, command.files, sender);
				break;
			case 'list':
			case 'ping':
				break;
		}
		return { ok: true, jobs: await engine.list() };
	};

	sw.addEventListener('message', (event) => {
		if (!isDownloadCommandMessage(event.data)) return;
		const port = event.ports[0];
		const sender = (event.source as Client | null)?.id;
		const reply = handle(event.data.command, sender).catch((error: unknown): DownloadReply => ({
			ok: false,
			error: toAppError(error).toJSON()
		}));
		// Keep the worker up while the command runs (the engine keeps going between pings).
		event.waitUntil(
			reply.then((answer) => {
				port?.postMessage(answer);
			})
		);
	});
	return engine;
}
