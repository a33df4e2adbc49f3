export { default as AddByCidForm } from './AddByCidForm.svelte';
export { default as CidDisplay } from './CidDisplay.svelte';
export { default as ExportCarButton } from './ExportCarButton.svelte';
