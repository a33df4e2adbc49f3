/// <reference lib="webworker" />
/**
 * Citrate's service worker.
 * - Precaches the app shell (every built file, the static files and the SPA's index.html, the
 *   wllama wasm included) with Workbox, so a reload with no network serves every route.
 * - Serves index.html for every navigation (SPA fallback) and adds COOP/COEP to what it serves,
 *   so the page is crossOriginIsolated (wllama threads) even on a static host without headers.
 * - Adds the origins the user allowed in Settings to `connect-src` of the page's CSP <meta>
 *   (approved-csp.ts): nothing else in the policy changes.
 * - Updates wait: no skipWaiting on install. The page shows "A new version … Reload" and sends
 *   SKIP_WAITING. An update only replaces Workbox's precache: OPFS and IndexedDB are never touched.
 */
import { base, build, files, version } from '$service-worker';
import { clientsClaim } from 'workbox-core';
import {
	addPlugins,
	cleanupOutdatedCaches,
	matchPrecache,
	precacheAndRoute,
	type PrecacheEntry
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { installDownloadEngine } from './downloads';
import { withApprovedOrigins } from './approved-csp';
import { withIsolationHeaders } from './isolation';

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_URL = `${base}/index.html`;

/** Hashed files (`_app/immutable`) never change under one name; the rest are versioned by build. */
function precacheEntries(): PrecacheEntry[] {
	const entries: PrecacheEntry[] = [...build, ...files]
		.filter((url) => !url.endsWith('.map'))
		.map((url) => ({ url, revision: url.includes('/_app/immutable/') ? null : version }));
	entries.push({ url: SHELL_URL, revision: version });
	return entries;
}

addPlugins([{ handlerWillRespond: async ({ response }) => withIsolationHeaders(response) }]);
precacheAndRoute(precacheEntries());
// Removes only caches of older Workbox precache formats; our own caches and all user data stay.
cleanupOutdatedCaches();

registerRoute(
	new NavigationRoute(async ({ request }) => {
		const shell = (await matchPrecache(SHELL_URL)) ?? (await fetch(request));
		// The origins the user allowed (Settings) join `connect-src` in the page's CSP <meta>.
		return withIsolationHeaders(await withApprovedOrigins(shell));
	})
);

// The first install takes control of open pages at once (so the first visit already works
// offline); later versions wait for the user's "Reload".
clientsClaim();

sw.addEventListener('message', (event: ExtendableMessageEvent) => {
	const data: unknown = event.data;
	if (
		typeof data === 'object' &&
		data !== null &&
		(data as { type?: unknown }).type === 'SKIP_WAITING'
	)
		void sw.skipWaiting();
});

// ── DOWNLOAD ENGINE (downloads engineer): import { installDownloadEngine } from './downloads'
// and call installDownloadEngine(sw) below this line. ──
installDownloadEngine(sw);
