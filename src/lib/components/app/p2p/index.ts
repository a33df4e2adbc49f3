export { default as ReceiveView } from './ReceiveView.svelte';
export { default as SendDialog } from './SendDialog.svelte';
