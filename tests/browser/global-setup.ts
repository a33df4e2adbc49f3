/**
 * Vitest global setup for the browser project: one Hub emulator for the whole run, on free ports.
 * Tests read its URLs with `inject('hubUrl')` and `inject('cdnUrl')` (see emulator-context.d.ts).
 */
import type { TestProject } from 'vitest/node';
import { startHubEmulator } from '../hub-emulator/server';
import { startIpfsGateway } from '../ipfs-gateway/server';
import { startPinningFixture } from '../ipfs-node/pinning-fixture';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const hub = await startHubEmulator({ port: 0, cdnPort: 0 });
	project.provide('hubUrl', hub.hubUrl);
	project.provide('cdnUrl', hub.cdnUrl);
	const ipfsGateway = await startIpfsGateway({ port: 0 });
	project.provide('ipfsGatewayUrl', ipfsGateway.url);
	const pinning = await startPinningFixture();
	const { close: closePinning, ...pinningContext } = pinning;
	project.provide('pinning', pinningContext);
	return async () => {
		await hub.close();
		await ipfsGateway.close();
		await closePinning();
	};
}
