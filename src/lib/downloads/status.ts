import { formatBytes, formatDuration, formatSpeed, percentOf } from './format';
import type { DownloadJobSnapshot } from './types';

/** What a download row says: the state in words, then the figures. */

/** A download that received nothing for this long says it is waiting for the network. */
export const STALL_NOTICE_MS = 5000;

export interface DownloadStatus {
	/** "Downloading", "Waiting for the network", "The Hub is busy: retrying in 4 s", … */
	headline: string;
	/** "42% · 20.1 MB of 47.9 MB · 2.1 MB/s · 13 s left" (speed and time only when known). */
	summary: string;
	/** True while the download is held up (network, busy Hub). */
	troubled: boolean;
}

export interface StatusInputs {
	/** Bytes per second over recent seconds; 0 when nothing arrived lately. */
	speed: number;
	/** Milliseconds since bytes last arrived. */
	idleMs: number;
	/** `Date.now()` (the clock of `job.waiting.retryAt`). */
	now: number;
}

const STATE_TEXT: Record<DownloadJobSnapshot['state'], string> = {
	queued: 'Queued',
	downloading: 'Downloading',
	background: 'Downloading in the background',
	paused: 'Paused',
	verifying: 'Verifying',
	done: 'Done',
	failed: 'Failed',
	cancelled: 'Cancelled'
};

const WAIT_TEXT = {
	network: 'Waiting for the network',
	busy: 'The Hub is busy',
	server: 'The Hub had a problem'
} as const;

function retryIn(retryAt: number, now: number): string {
	const seconds = Math.ceil((retryAt - now) / 1000);
	return seconds > 0 ? `retrying in ${formatDuration(seconds)}` : 'retrying now';
}

export function describeDownload(job: DownloadJobSnapshot, inputs: StatusInputs): DownloadStatus {
	const figures = `${percentOf(job.receivedBytes, job.totalBytes)}% · ${formatBytes(job.receivedBytes)} of ${formatBytes(job.totalBytes)}`;
	if (job.state !== 'downloading')
		return { headline: STATE_TEXT[job.state], summary: figures, troubled: false };
	const { speed, idleMs, now } = inputs;
	const pace =
		speed > 0
			? ` · ${formatSpeed(speed)} · ${formatDuration(Math.max(0, (job.totalBytes - job.receivedBytes) / speed))} left`
			: '';
	if (job.waiting)
		return {
			headline: `${WAIT_TEXT[job.waiting.reason]}: ${retryIn(job.waiting.retryAt, now)}`,
			summary: figures + pace,
			troubled: true
		};
	if (idleMs >= STALL_NOTICE_MS)
		return {
			headline: WAIT_TEXT.network,
			summary: `${figures} · nothing received for ${formatDuration(Math.floor(idleMs / 1000))}`,
			troubled: true
		};
	return { headline: STATE_TEXT.downloading, summary: figures + pace, troubled: false };
}
