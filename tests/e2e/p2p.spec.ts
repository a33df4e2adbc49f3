/**
 * Peer to peer, end to end: two persistent Chromium profiles are two devices inside a network
 * namespace this spec makes (tests/p2p/netns.ts; needs root, as CI has). Inside it run a Citrate
 * node as the circuit-relay-v2 relay (no default limit), the Hub emulator and the built app.
 *
 * Device A downloads a model from the Hub emulator; the emulator is stopped, no gateway is
 * configured; device B opens A's share link and receives the model over WebRTC, verified, and
 * chats with it. A device without working WebRTC receives over the relayed connection. Peers in
 * Node (tests/p2p/node-peer.ts) play the bad actors: one answers with corrupted blocks (refused,
 * disconnected, named; the model still comes from A), one stops sending (reported within the
 * stall bound), one was never paired (A serves it nothing while public serving is off).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium-path.mjs';
import { makeScriptedLlamaGguf } from '../fixtures/gguf';
import { SCRIPTED_CHAT_REPLY } from '../hub-emulator/default-repos';
import { createNetns, netnsUnavailable, type Netns, type Server } from '../p2p/netns';
import { emulateTheme } from './theme';

const appPort = Number(process.env.E2E_APP_PORT ?? 4173);
const hubPort = Number(process.env.E2E_HUB_PORT ?? 8787);
const cdnPort = Number(process.env.E2E_CDN_PORT ?? 8788);
const out = process.env.E2E_BUILD_DIR ?? 'build-e2e';
const appUrl = `http://127.0.0.1:${appPort}`;
const REPO = 'citrate-test/scripted-chat-GGUF';
const BIG = 'citrate-test/big-chat-GGUF';
const BIG_PADDING = 96 * 1024 * 1024;
const unavailable = netnsUnavailable();

test.describe.configure({ mode: 'serial' });
test.skip(unavailable !== null, unavailable ?? '');

let ns: Netns;
let hub: Server | undefined;
/** The relay's WebSockets multiaddr with its peer id. */
let relayAddr = '';
let chromiumInNs: string;
const profiles: string[] = [];
const contexts: BrowserContext[] = [];
let deviceA: Page;
let link = '';
/** The sending device of the big model (the test where it goes away), still open after it. */
let bigSender: Page | undefined;

async function device(extraArgs: string[] = [], existing?: string): Promise<Page> {
	const dir = existing ?? (await mkdtemp(join(tmpdir(), 'citrate-device-')));
	if (!existing) profiles.push(dir);
	const context = await chromium.launchPersistentContext(dir, {
		executablePath: chromiumInNs,
		args: [...CHROMIUM_ARGS, ...extraArgs],
		baseURL: appUrl
	});
	contexts.push(context);
	return context.pages()[0] ?? (await context.newPage());
}

/** A repos folder for the Hub emulator with one large chat model (the scripted GGUF, padded). */
async function bigRepo(): Promise<{ dir: string; size: number }> {
	const dir = await mkdtemp(join(tmpdir(), 'citrate-repos-'));
	profiles.push(dir);
	const repoDir = join(dir, 'citrate-test', 'big-chat-GGUF');
	await mkdir(repoDir, { recursive: true });
	const gguf = makeScriptedLlamaGguf({ reply: 'Big hello.', name: 'Big chat' });
	const padding = randomBytes(BIG_PADDING);
	await writeFile(join(repoDir, 'big-chat-Q8_0.gguf'), Buffer.concat([gguf, padding]));
	await writeFile(
		join(repoDir, 'repo.json'),
		JSON.stringify({
			downloads: 1,
			likes: 0,
			pipeline_tag: 'text-generation',
			library_name: 'gguf',
			license: 'mit',
			tags: ['llama', 'test-fixture'],
			createdAt: '2026-01-10T09:00:00.000Z',
			lastModified: '2026-02-01T09:00:00.000Z'
		})
	);
	return { dir, size: gguf.byteLength + BIG_PADDING };
}

/** The sending device's peer id in a share link. */
function payloadPeer(text: string): string {
	return (
		JSON.parse(Buffer.from(text.split('#offer=')[1]!, 'base64url').toString('utf8')) as {
			peer: { id: string };
		}
	).peer.id;
}

/** The device's peer id (its key, kept in IndexedDB once its peer started). */
async function devicePeerId(page: Page): Promise<string> {
	const key = await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('citrate');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const record = await new Promise<{ value?: Uint8Array } | undefined>((resolve, reject) => {
			const request = db.transaction('settings').objectStore('settings').get('p2p.identity');
			request.onsuccess = () => resolve(request.result as never);
			request.onerror = () => reject(request.error);
		});
		db.close();
		return record?.value ? [...record.value] : null;
	});
	if (!key) throw new Error('the device has no peer identity yet');
	return peerIdFromPrivateKey(privateKeyFromProtobuf(Uint8Array.from(key))).toString();
}

async function modelRecord(page: Page, repoId: string) {
	return page.evaluate(async (repo) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('citrate');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const all = await new Promise<{ repoId: string; cid?: string; files: unknown[] }[]>(
			(resolve, reject) => {
				const request = db.transaction('models').objectStore('models').getAll();
				request.onsuccess = () => resolve(request.result as never);
				request.onerror = () => reject(request.error);
			}
		);
		db.close();
		return all.find((model) => model.repoId === repo);
	}, repoId);
}

/**
 * The sender's files as the receiver records them: same paths, sizes, SHA-256s and CIDs; the
 * sender's Hub check (`hubSha256`) is about its download and does not travel.
 */
function sameFiles(files: unknown[] | undefined): unknown[] | undefined {
	return files?.map((file) => {
		const { hubSha256: _hub, ...rest } = file as { hubSha256?: unknown };
		return rest;
	});
}

test.beforeAll(async () => {
	test.setTimeout(300_000);
	ns = await createNetns();
	chromiumInNs = await ns.wrap(findChromium() ?? chromium.executablePath());
	const repo = await mkdtemp(join(tmpdir(), 'citrate-relay-'));
	profiles.push(repo);
	const relay = await ns.start(
		'npx',
		[
			'tsx',
			'scripts/ipfs-node/cli.ts',
			'--repo',
			repo,
			'--host',
			'127.0.0.1',
			'--ws-port',
			'4003',
			'--tcp-port',
			'0',
			'--relay-no-limit'
		],
		/Citrate node \w+/
	);
	relayAddr = `/ip4/127.0.0.1/tcp/4003/ws/p2p/${/Citrate node (\w+)/.exec(relay.output())![1]}`;
	hub = await ns.start(
		'npx',
		['tsx', 'tests/hub-emulator/cli.ts', '--port', String(hubPort), '--cdn-port', String(cdnPort)],
		/Hub emulator listening/
	);
	await ns.start(
		'node',
		['scripts/serve.mjs', '--dir', out, '--port', String(appPort), '--host', '127.0.0.1'],
		/serving /
	);
});

test.afterAll(async () => {
	for (const context of contexts) await context.close().catch(() => undefined);
	await ns?.close();
	for (const dir of profiles) await rm(dir, { recursive: true, force: true });
});

test('A downloads from the Hub; with the Hub gone and no gateway, B receives it from A over WebRTC, verified, and chats', async () => {
	test.setTimeout(300_000);
	deviceA = await device();
	const a = deviceA;
	await a.goto(`/models/${REPO}`);
	await a.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await a
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(a.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 90_000 });
	await a.goto('/library');
	const card = a.getByRole('article', { name: new RegExp(`^${REPO} `) });
	await expect(card.getByTestId('cid')).toHaveText(/^baf/, { timeout: 60_000 });
	const record = await modelRecord(a, REPO);
	expect(record?.cid).toMatch(/^baf/);

	// The Hub goes away; the build has no gateway: B can only get the model from A.
	await hub?.stop();
	hub = undefined;

	await card.getByRole('button', { name: /^Send .* to another device$/ }).click();
	const linkBox = a.getByTestId('send-link');
	await expect(linkBox).toHaveValue(/\/receive#offer=/, { timeout: 60_000 });
	link = await linkBox.inputValue();
	await expect(a.getByRole('img', { name: /^QR code of the link/ })).toBeVisible();
	expect(link).not.toMatch(/hf_|token/i);

	const b = await device();
	await b.goto(link);
	await expect(b.getByTestId('receive-model')).toContainText(REPO);
	await expect(b.getByTestId('receive-status')).toHaveAttribute('data-status', 'done', {
		timeout: 120_000
	});
	await expect(b.getByTestId('connection-kind')).toHaveAttribute('data-kind', 'webrtc');
	await expect(b.getByTestId('sources').locator('li[data-kind="webrtc"]')).toHaveCount(1);
	// The sender shows who is receiving, and how.
	await expect(a.getByTestId('receivers')).toContainText('over WebRTC');

	// Same files, same SHA-256s (checked against the link by B), same CID.
	const received = await modelRecord(b, REPO);
	expect(received?.cid).toBe(record?.cid);
	expect(received?.files).toEqual(sameFiles(record?.files));

	await b.getByRole('button', { name: 'Chat with it' }).click();
	const status = b.getByRole('status', { name: 'Model status' });
	await expect(status).toContainText(/Context \d+/, { timeout: 90_000 });
	const box = b.getByRole('textbox', { name: 'Message' });
	await expect(async () => {
		await box.fill('Add two numbers');
		await box.press('Enter');
		await expect(b.getByRole('article', { name: 'Your message' }).first()).toBeVisible({
			timeout: 3000
		});
	}).toPass({ timeout: 30_000 });
	await expect(b.getByRole('article', { name: 'Assistant message' }).first()).toContainText(
		SCRIPTED_CHAT_REPLY.split('\n')[0]!,
		{ timeout: 90_000 }
	);
});

test('without working WebRTC, the model comes over the relayed connection (relay without the default limit)', async () => {
	test.setTimeout(240_000);
	test.skip(!link, 'needs the first test’s sender');
	// A browser without WebRTC: every WebRTC dial fails, so the app falls back to the circuit.
	const c = await device();
	await c.context().addInitScript(() => {
		class NoWebRTC {
			constructor() {
				throw new DOMException('WebRTC is not available', 'NotSupportedError');
			}
		}
		Object.defineProperty(globalThis, 'RTCPeerConnection', { value: NoWebRTC });
	});
	await c.goto(link);
	await expect(c.getByTestId('receive-status')).toHaveAttribute('data-status', 'done', {
		timeout: 180_000
	});
	await expect(c.getByTestId('connection-kind')).toHaveAttribute('data-kind', 'relayed');
	await expect(c.getByTestId('sources').locator('li[data-kind="relayed"]')).toHaveCount(1);
	const received = await modelRecord(c, REPO);
	expect(received?.files).toEqual(sameFiles((await modelRecord(deviceA, REPO))?.files));
});

test('a tampered link or an unreachable device is a clear error, and nothing is registered', async () => {
	test.setTimeout(120_000);
	test.skip(!link, 'needs the first test’s link');
	const d = await device();
	// Tampered: the record's SHA-256 changed (still a well-formed link).
	const payload = JSON.parse(
		Buffer.from(link.split('#offer=')[1]!, 'base64url').toString('utf8')
	) as { model: { files: { sha256: string }[] }; peer: { id: string } };
	payload.model.files[0]!.sha256 = 'f'.repeat(64);
	const tampered = `${appUrl}/receive#offer=${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
	await d.goto(tampered);
	await expect(d.getByRole('alert')).toContainText('does not have the SHA-256 the link gives', {
		timeout: 90_000
	});
	expect(await modelRecord(d, REPO)).toBeUndefined();

	// Malformed: cut short.
	await d.goto('/receive');
	await d.getByLabel('Share link').fill(link.slice(0, link.length - 20));
	await d.getByRole('button', { name: 'Receive' }).click();
	await expect(d.getByRole('alert')).toContainText('not a valid Citrate share link');

	// Unreachable: a device id nobody has, through the same relay.
	const ghost = { ...payload, peer: { ...payload.peer } };
	ghost.peer.id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
	await d.goto(
		`${appUrl}/receive#offer=${Buffer.from(JSON.stringify(ghost)).toString('base64url')}`
	);
	await expect(d.getByRole('alert')).toContainText(/cannot be reached|not a valid/, {
		timeout: 90_000
	});
	expect(await modelRecord(d, REPO)).toBeUndefined();
});

test('a peer answering with corrupted blocks is refused, disconnected and named; the model comes from the honest sender, verified', async () => {
	test.setTimeout(240_000);
	test.skip(!link, 'needs the first test’s sender');
	const b = await device();
	// B's peer starts with a first try at a device that is not there (the relay has no such
	// reservation), so the corrupting peer can connect to B before B asks anyone for a block.
	const payload = JSON.parse(
		Buffer.from(link.split('#offer=')[1]!, 'base64url').toString('utf8')
	) as { peer: { id: string } };
	payload.peer.id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
	await b.goto(
		`${appUrl}/receive#offer=${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
	);
	await expect(b.getByRole('alert')).toContainText('cannot be reached', { timeout: 90_000 });
	const bId = await devicePeerId(b);

	// The corrupting peer (a Node Helia + bitswap node) connects to B through the relay.
	const liar = await ns.start(
		'npx',
		['tsx', 'tests/p2p/node-peer.ts', '--dial', `${relayAddr}/p2p-circuit/p2p/${bId}`],
		/peer connected/
	);
	const liarId = /peer (\w{20,})/.exec(liar.output())![1]!;
	// Still connected (it connects again if a loaded machine dropped it before it could lie).
	const liarConnected = () =>
		liar.output().lastIndexOf('peer connected') > liar.output().lastIndexOf('peer disconnected');
	await expect.poll(liarConnected, { timeout: 60_000 }).toBe(true);

	// B receives the model from A (the honest peer) while connected to the liar.
	await b.getByRole('button', { name: 'Receive another' }).click();
	await b.getByLabel('Share link').fill(link);
	await b.getByRole('button', { name: 'Receive' }).click();
	const status = b.getByTestId('receive-status');
	await expect(status).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	expect(liar.output(), liar.output()).toMatch(/peer sent \d+ corrupted blocks/);

	// Which peer, and why, in words; it was disconnected.
	const refused = b.getByTestId('refused-peers').locator(`li[data-peer="${liarId}"]`);
	await expect(refused).toContainText(`…${liarId.slice(-8)}`);
	await expect(refused).toContainText('sent data that did not match the model');
	await expect.poll(() => liar.output(), { timeout: 30_000 }).toContain('peer disconnected');

	// Every byte came from A; the files are A's, with the link's SHA-256s (checked by B).
	const sources = b.getByTestId('sources').locator('li');
	await expect(sources).toHaveCount(1);
	await expect(sources).toContainText(`…${payloadPeer(link).slice(-8)}`);
	expect((await modelRecord(b, REPO))?.files).toEqual(
		sameFiles((await modelRecord(deviceA, REPO))?.files)
	);
	await liar.stop();

	// The report reads well and passes axe at every width, in both themes.
	for (const width of [1280, 390, 360])
		for (const theme of ['light', 'dark'] as const) {
			await b.setViewportSize({ width, height: 900 });
			await emulateTheme(b, theme);
			const axe = await new AxeBuilder({ page: b }).analyze();
			expect(axe.violations, `/receive (${width} px, ${theme})`).toEqual([]);
			expect(
				await b.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
				`no horizontal overflow at ${width} px`
			).toBe(true);
			if (width !== 360)
				await b.screenshot({ path: test.info().outputPath(`refused-${width}-${theme}.png`) });
		}
});

test('a device that stops sending does not hang the transfer: B says so within the stall bound, keeps waiting, and registers nothing', async () => {
	test.setTimeout(180_000);
	test.skip(!link, 'needs the first test’s link');
	// A peer that accepts the connection and every want and never sends a block.
	const staller = await ns.start(
		'npx',
		['tsx', 'tests/p2p/node-peer.ts', '--mode', 'stall', '--listen', relayAddr],
		/peer listening/
	);
	const stallerId = /peer (\w{20,})/.exec(staller.output())![1]!;
	const payload = JSON.parse(
		Buffer.from(link.split('#offer=')[1]!, 'base64url').toString('utf8')
	) as { peer: { id: string; addrs: string[] } };
	payload.peer = { id: stallerId, addrs: [`${relayAddr}/p2p-circuit`] };
	const b = await device();
	await b.goto(
		`${appUrl}/receive#offer=${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
	);
	await expect(b.getByTestId('receive-status')).toHaveAttribute('data-status', 'receiving', {
		timeout: 60_000
	});
	await expect.poll(() => staller.output(), { timeout: 30_000 }).toMatch(/peer stalls/);
	const asked = Date.now();
	// The stall bound is 30 s; on a loaded machine it is given room, but not forever.
	await expect(b.locator('[data-testid="receive-status"][data-status="waiting"]')).toContainText(
		'The sending device stopped sending',
		{ timeout: 90_000 }
	);
	console.log(`stopped sending reported ${Date.now() - asked} ms after the first unanswered want`);
	await expect(b.getByRole('alert')).toContainText('sent the next block in 30 seconds');
	expect(await modelRecord(b, REPO)).toBeUndefined();
	await staller.stop();
});

test('with public serving off, a peer nobody paired gets nothing from A; once A offers its link again it is served', async () => {
	test.setTimeout(180_000);
	test.skip(!link, 'needs the first test’s sender');
	const a = deviceA;
	// A stops offering: its Send dialog closes (devices that came through the link stay paired).
	await a.keyboard.press('Escape');
	await expect(a.getByTestId('send-link')).toBeHidden();
	const cid = (await modelRecord(a, REPO))!.cid!;
	// A peer that knows A's address and the CID, connects through the relay and asks for it.
	const stranger = await ns.start(
		'npx',
		[
			'tsx',
			'tests/p2p/node-peer.ts',
			'--mode',
			'fetch',
			'--want',
			cid,
			'--within',
			'120000',
			'--dial',
			`${relayAddr}/p2p-circuit/p2p/${payloadPeer(link)}`
		],
		/peer connected/
	);
	// Connected and asking; A holds its wants and answers nothing (no block, no "don't have").
	await new Promise((resolve) => setTimeout(resolve, 10_000));
	expect(stranger.output()).not.toMatch(/peer fetched/);
	expect(stranger.output()).not.toMatch(/peer disconnected/);

	// A offers the model again: a device connected to it meanwhile counts as came through the
	// link, and its held want is answered without it asking again.
	await a
		.getByRole('article', { name: new RegExp(`^${REPO} `) })
		.getByRole('button', { name: /^Send .* to another device$/ })
		.click();
	await expect(a.getByTestId('send-link')).toHaveValue(/\/receive#offer=/, { timeout: 60_000 });
	await expect.poll(() => stranger.output(), { timeout: 60_000 }).toContain(`peer fetched ${cid}`);
	await stranger.stop();
});

test('the sender goes away mid-transfer: B says so and pauses; A comes back and B resumes without fetching again what it has', async () => {
	test.setTimeout(420_000);
	const { dir, size } = await bigRepo();
	hub = await ns.start(
		'npx',
		[
			'tsx',
			'tests/hub-emulator/cli.ts',
			'--port',
			String(hubPort),
			'--cdn-port',
			String(cdnPort),
			'--repos',
			dir
		],
		/Hub emulator listening/
	);
	const profileA = await mkdtemp(join(tmpdir(), 'citrate-device-'));
	profiles.push(profileA);
	let a = await device([], profileA);
	await a.goto(`/models/${BIG}`);
	await a.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	await a
		.getByRole('button', { name: /^Download / })
		.first()
		.click();
	await expect(a.getByText('Downloaded', { exact: true })).toBeVisible({ timeout: 180_000 });
	await a.goto('/library');
	const card = a.getByRole('article', { name: new RegExp(`^${BIG} `) });
	await expect(card.getByTestId('cid')).toHaveText(/^baf/, { timeout: 120_000 });
	await card.getByRole('button', { name: /^Send .* to another device$/ }).click();
	await expect(a.getByTestId('send-link')).toHaveValue(/\/receive#offer=/, { timeout: 60_000 });
	const bigLink = await a.getByTestId('send-link').inputValue();

	const b = await device();
	// Page responsiveness while receiving (the peer runs on the page): the main thread's timer
	// lag, sampled every 50 ms. Reported, not asserted (a loaded machine would break a bound).
	await b.context().addInitScript(() => {
		const lags: number[] = [];
		let last = performance.now();
		setInterval(() => {
			const now = performance.now();
			lags.push(Math.max(0, now - last - 50));
			last = now;
		}, 50);
		(globalThis as unknown as { __lags: number[] }).__lags = lags;
	});
	await b.goto(bigLink);
	const bar = b.getByRole('progressbar', { name: /^Receiving / });
	// Throughput over WebRTC on this (shared, loaded) machine: from the first bytes to 32 MiB.
	let first: { at: number; bytes: number } | undefined;
	let last = { at: 0, bytes: 0 };
	await expect
		.poll(
			async () => {
				const bytes = Number((await bar.getAttribute('aria-valuenow').catch(() => '0')) ?? 0);
				if (bytes > 0) {
					first ??= { at: Date.now(), bytes };
					last = { at: Date.now(), bytes };
				}
				return bytes;
			},
			{ timeout: 120_000, intervals: [100] }
		)
		.toBeGreaterThanOrEqual(32 * 1024 * 1024);
	if (first && last.at > first.at)
		console.log(
			`WebRTC receive: ${((last.bytes - first.bytes) / 1024 / 1024).toFixed(1)} MiB in ${last.at - first.at} ms = ${((last.bytes - first.bytes) / 1024 / 1024 / ((last.at - first.at) / 1000)).toFixed(1)} MiB/s`
		);
	// A goes away (its browser closes).
	await a.context().close();
	const status = b.getByTestId('receive-status');
	await expect(status).toHaveAttribute('data-status', 'waiting', { timeout: 60_000 });
	await expect(status).toContainText('The sending device went away');
	// It says what brings the transfer back: Citrate open on A again.
	await expect(status).toContainText('resumes here by itself once Citrate is open on it again');
	const before = Number(await bar.getAttribute('aria-valuenow'));
	expect(before).toBeLessThan(size);

	// A comes back (same profile: same peer id) and only opens Citrate: B was paired with it (kept
	// across the restart), so A's peer starts by itself, B reaches it and A serves B. Nothing on A
	// offers the model again.
	a = await device([], profileA);
	await a.goto('/settings');
	const paired = a.getByTestId('paired-devices');
	await expect(paired).toHaveAttribute('data-loaded', 'true');
	const receiver = await devicePeerId(b);
	await expect(
		paired.getByRole('listitem', { name: `Device …${receiver.slice(-8)}` })
	).toContainText(`You sent it ${BIG}`);
	// A says whom it is sending to while B fetches the rest from it (no dialog is open on A).
	await expect(a.getByRole('status', { name: 'Sending' })).toContainText(
		`Sending a model to device …${receiver.slice(-8)}`,
		{ timeout: 120_000 }
	);

	await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
	await expect(a.getByTestId('sending')).toBeHidden({ timeout: 15_000 });
	// Every leaf is 256 KiB; the model's DAG has a few more nodes. The 8 MiB segments written
	// before the pause (at least 32 MiB of the file, 128 leaves) were kept: at most the unfinished
	// segment (32 leaves) and the blocks in flight (32) were fetched again.
	const lags = await b.evaluate(() =>
		[...(globalThis as unknown as { __lags: number[] }).__lags].sort((x, y) => x - y)
	);
	const at = (q: number) => Math.round(lags[Math.floor((lags.length - 1) * q)] ?? 0);
	test.info().annotations.push({
		type: 'page responsiveness while receiving',
		description: `timer lag over ${lags.length} samples: median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms; ${(size / 1024 / 1024).toFixed(0)} MiB`
	});
	console.log(test.info().annotations.at(-1)?.description);
	const leaves = Math.ceil(size / 262_144);
	const fetched = Number(await status.getAttribute('data-blocks'));
	expect(fetched).toBeGreaterThanOrEqual(leaves);
	expect(fetched).toBeLessThan(leaves + 3 + 32 + 32 + 1);
	expect((await modelRecord(b, BIG))?.files).toEqual(sameFiles((await modelRecord(a, BIG))?.files));
	bigSender = a;
});

/** Sets Settings → Peer to peer → Upload limit on a device, going there in the app (no reload). */
async function setUploadLimit(page: Page, label: string): Promise<void> {
	// The Send dialog may be open: closing it ends the offer, not the transfers under way.
	const dialog = page.getByRole('dialog');
	if (await dialog.isVisible()) {
		await page.keyboard.press('Escape');
		await expect(dialog).toBeHidden();
	}
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Settings' })
		.click();
	await expect(page.getByTestId('peer-settings')).toHaveAttribute('data-loaded', 'true');
	await page.getByRole('combobox', { name: 'Upload limit' }).selectOption({ label });
}

test('the sender’s upload limit holds a transfer from it; lifting it speeds the transfer up at once', async () => {
	test.setTimeout(300_000);
	test.skip(!bigSender, 'needs the big model’s sender');
	const a = bigSender!;
	await setUploadLimit(a, '1 MB/s');
	await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
	await a
		.getByRole('article', { name: new RegExp(`^${BIG} `) })
		.getByRole('button', { name: /^Send .* to another device$/ })
		.click();
	await expect(a.getByTestId('send-link')).toHaveValue(/\/receive#offer=/, { timeout: 60_000 });
	const bigLink = await a.getByTestId('send-link').inputValue();

	const e = await device();
	await e.goto(bigLink);
	const bar = e.getByRole('progressbar', { name: /^Receiving / });
	const received = async () =>
		Number((await bar.getAttribute('aria-valuenow').catch(() => '0')) ?? 0);
	/** Bytes per second received over the next `ms`. */
	const rateOver = async (ms: number) => {
		const from = { at: Date.now(), bytes: await received() };
		await e.waitForTimeout(ms);
		const to = { at: Date.now(), bytes: await received() };
		return (to.bytes - from.bytes) / ((to.at - from.at) / 1000);
	};
	await expect.poll(received, { timeout: 120_000, intervals: [100] }).toBeGreaterThan(0);
	const limitedRate = await rateOver(8_000);
	console.log(`limited to 1 MB/s: ${(limitedRate / 1e6).toFixed(2)} MB/s`);
	// 1 MB/s (decimal, as Citrate counts), and at most one second's worth at once, over 8 s: at
	// most about 1.13 MB/s.
	expect(limitedRate).toBeLessThan(1.4e6);
	expect(limitedRate).toBeGreaterThan(0);

	// Lifted on the sender while the transfer runs: from then on the transfer goes clearly faster
	// than the limit let it. Compared with the rate this run measured under the limit, not with a
	// fixed time: over WebRTC in this test the unlimited rate is only about twice the limit (two
	// full browsers on two shared cores), and a loaded machine slows both alike.
	// The first 2 s refill the wants the limit held back; the rate is read over the 10 s after.
	await setUploadLimit(a, 'No limit');
	await e.waitForTimeout(2_000);
	const liftedRate = await rateOver(10_000);
	console.log(`limit lifted: ${(liftedRate / 1e6).toFixed(2)} MB/s`);
	expect(liftedRate).toBeGreaterThan(1.2 * limitedRate);
	await expect(e.getByTestId('receive-status')).toHaveAttribute('data-status', 'done', {
		timeout: 180_000
	});
});
