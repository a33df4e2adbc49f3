export { default as ReceiveView } from './ReceiveView.svelte';
export { default as SendDialog } from './SendDialog.svelte';
export { default as PeerSettings } from './PeerSettings.svelte';
export { default as SendingBanner } from './SendingBanner.svelte';
