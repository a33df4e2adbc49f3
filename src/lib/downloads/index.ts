/**
 * Downloads: the page side of the service worker's download engine, and the local models it
 * produces. `openModelFiles` is what the inference engine loads; `registerLocalModel` is how IPFS
 * adds a model it fetched.
 */
export {
	ServiceWorkerDownloadClient,
	hasBackgroundFetch,
	type DownloadBackend,
	type ServiceWorkerClientOptions
} from './client';
export {
	CONCURRENCY_SETTING_KEY,
	DEFAULT_DOWNLOAD_SETTINGS,
	modelIdFor,
	type DownloadEvent,
	type DownloadFileSpec,
	type DownloadJobSnapshot,
	type DownloadRequest,
	type DownloadSettings,
	type DownloadVariantSpec,
	type DownloadWait,
	type JobState,
	type ShardSnapshot,
	type ShardState
} from './types';
export { validateRequest } from './jobs';
export { loadConcurrency, saveConcurrency } from './settings';
export { formatBytes, formatDuration, formatSpeed, percentOf } from './format';
export {
	failedCheck,
	fileVerification,
	type FileVerification,
	type VerificationStatus
} from './verification';
export {
	listLocalModels,
	getLocalModel,
	openModelFiles,
	registerLocalModel,
	deleteLocalModel,
	storeModelFile,
	storageStatus,
	requestPersistentStorage,
	type LocalModel,
	type LocalModelFile,
	type StorageStatus
} from '../storage';
