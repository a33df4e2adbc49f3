/** Citrate's design system: small, accessible primitives. Feature components compose these. */
export { default as Badge } from './Badge.svelte';
export { default as Button } from './Button.svelte';
export { default as Card } from './Card.svelte';
export { default as Dialog } from './Dialog.svelte';
export { default as DismissibleError } from './DismissibleError.svelte';
export { default as EmptyState } from './EmptyState.svelte';
export { default as Icon } from './Icon.svelte';
export { default as IconButton } from './IconButton.svelte';
export { default as Input } from './Input.svelte';
export { default as ProgressBar } from './ProgressBar.svelte';
export { default as Select } from './Select.svelte';
export { default as Spinner } from './Spinner.svelte';
export { default as Switch } from './Switch.svelte';
export { default as Tabs } from './Tabs.svelte';
export { default as TextArea } from './TextArea.svelte';
export type { IconName } from './Icon.svelte';
export type { BadgeTone, ButtonSize, ButtonVariant, SelectOption, TabItem } from './types';
