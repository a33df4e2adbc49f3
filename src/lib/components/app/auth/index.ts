export { default as AccountMenu } from './AccountMenu.svelte';
export { default as AccountSettings } from './AccountSettings.svelte';
export { default as CallbackView } from './CallbackView.svelte';
export { default as TokenForm } from './TokenForm.svelte';
export { default as UserAvatar } from './UserAvatar.svelte';
