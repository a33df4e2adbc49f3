export { default as ChatView } from './ChatView.svelte';
export { default as ConversationList } from './ConversationList.svelte';
export { default as ModelBar } from './ModelBar.svelte';
export { default as MessageItem } from './MessageItem.svelte';
export { default as Composer } from './Composer.svelte';
export { default as ChatSettings } from './ChatSettings.svelte';
export { default as ChatTools } from './ChatTools.svelte';
export { default as MessageLog } from './MessageLog.svelte';
