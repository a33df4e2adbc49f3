export { default as AccessNotice } from './AccessNotice.svelte';
export { default as FitVerdict } from './FitVerdict.svelte';
export { default as GgufPanel } from './GgufPanel.svelte';
export { default as ModelCard } from './ModelCard.svelte';
export { default as ReadmeView } from './ReadmeView.svelte';
export { default as VariantsTable } from './VariantsTable.svelte';
export { formatCount, formatDate, formatParams, formatUpdated, modelHref } from './format';
export { default as SpeedEstimate } from './SpeedEstimate.svelte';
