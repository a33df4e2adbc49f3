import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium-path.mjs';

/**
 * End-to-end tests run the built app (its own build, wired to the Hub emulator) in Chromium.
 * Ports can be moved with env so that several runs can share a machine.
 */
const appPort = Number(process.env.E2E_APP_PORT ?? 4173);
const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const cdnPort = Number(process.env.E2E_CDN_PORT ?? 8788);
const out = process.env.E2E_BUILD_DIR ?? 'build-e2e';
const hubUrl = `http://127.0.0.1:${hubPort}`;
// The IPFS spec starts a local trustless gateway on this address; the build is told about it.
const ipfsGateways = process.env.E2E_IPFS_GATEWAYS ?? 'http://127.0.0.1:8975';
process.env.E2E_IPFS_GATEWAYS = ipfsGateways;

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: `test-results/${out}`,
	timeout: 90_000,
	expect: { timeout: 15_000 },
	fullyParallel: false,
	workers: 1,
	retries: process.env.CI ? 1 : 0,
	reporter: 'list',
	use: {
		baseURL: `http://localhost:${appPort}`,
		launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
		// Traced only when a test is run again: recording every run (screencast, snapshots) slowed
		// the WebRTC tests by a third here, enough to fail their timing checks.
		trace: 'on-first-retry'
	},
	webServer: [
		{
			// Supervised: an emulator that stops answering is reported and replaced (supervise.ts).
			command: `npx tsx tests/hub-emulator/supervise.ts --port ${hubPort} --cdn-port ${cdnPort}`,
			url: `${hubUrl}/.well-known/openid-configuration`,
			reuseExistingServer: false,
			timeout: 120_000
		},
		{
			command: `node scripts/serve.mjs --build --dir ${out} --port ${appPort}`,
			url: `http://localhost:${appPort}/`,
			reuseExistingServer: false,
			timeout: 240_000,
			env: {
				CITRATE_OUT: out,
				PUBLIC_HF_HUB_URL: hubUrl,
				PUBLIC_HF_OAUTH_ISSUER: hubUrl,
				PUBLIC_HF_CLIENT_ID: 'citrate-e2e',
				PUBLIC_IPFS_GATEWAYS: ipfsGateways,
				// The CSP lists exact origins (no loopback wildcard): the emulator's CDN.
				PUBLIC_HF_CDN_ORIGINS: `http://127.0.0.1:${cdnPort}`,
				// The peer's relay runs on the loopback of the network namespace the p2p spec makes (see
				// tests/p2p/netns.ts), so outside it nothing is dialled but loopback; no bootstrap or routers.
				PUBLIC_IPFS_RELAYS: process.env.E2E_IPFS_RELAYS ?? '/ip4/127.0.0.1/tcp/4003/ws',
				PUBLIC_IPFS_BOOTSTRAP: 'none',
				PUBLIC_IPFS_ROUTERS: 'none'
			}
		}
	]
});
