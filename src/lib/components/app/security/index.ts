export { default as FramedNotice } from './FramedNotice.svelte';
export { default as ApproveOriginPrompt } from './ApproveOriginPrompt.svelte';
export { default as ApprovedOriginsSettings } from './ApprovedOriginsSettings.svelte';
