export { default as PinningServiceSettings } from './PinningServiceSettings.svelte';
export { default as RemotePinControl } from './RemotePinControl.svelte';
