/** The app shell: header, navigation, update banner, notices. Used by the root layout. */
export { default as AppHeader } from './AppHeader.svelte';
export { default as NoticeArea } from './NoticeArea.svelte';
export { default as UpdateBanner } from './UpdateBanner.svelte';
export { default as CitrusMark } from './CitrusMark.svelte';
export { default as AppearanceSettings } from './AppearanceSettings.svelte';
