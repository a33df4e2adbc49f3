export { default as DownloadButton } from './DownloadButton.svelte';
export { default as DownloadProgress } from './DownloadProgress.svelte';
export { default as DownloadError } from './DownloadError.svelte';
export { default as LocalModelList } from './LocalModelList.svelte';
export { default as ActiveDownloads } from './ActiveDownloads.svelte';
export { default as StorageSummary } from './StorageSummary.svelte';
