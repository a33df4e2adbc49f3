export { openCitrateDB, DB_NAME, DB_VERSION, type CitrateDB } from './db';
export type { LocalModel, LocalModelFile } from './types';
export {
	listLocalModels,
	getLocalModel,
	registerLocalModel,
	openModelFiles,
	deleteLocalModel,
	storeModelFile,
	storageStatus,
	requestPersistentStorage,
	type StorageStatus
} from './models';
export { SegmentStore, SegmentWriter, opfsRoot, partsPath, segmentName } from './opfs';
export { settingsStore } from './settings';
