export { default as FramedNotice } from './FramedNotice.svelte';
