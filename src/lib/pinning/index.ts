export { PinningClient, type PinningClientOptions, type ListQuery } from './client';
export { normalizeEndpoint } from './endpoint';
export {
	backoffDelay,
	followPin,
	requestPin,
	pinFailed,
	type Backoff,
	type FollowOptions,
	type FollowProgress
} from './follow';
export {
	loadPinningService,
	savePinningService,
	forgetPinningService,
	type PinningServiceConfig
} from './settings';
export { readRemotePins, writeRemotePin, deleteRemotePin, type RemotePinRecord } from './records';
export * from './spec';
export { delegateOrigin, dialableDelegates } from './delegates';
