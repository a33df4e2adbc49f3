/** Types shared by the design-system components and their users. */
export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
export type ButtonSize = 'sm' | 'md' | 'lg';
export type BadgeTone = 'neutral' | 'accent' | 'lime' | 'success' | 'warning' | 'danger' | 'info';
export type SelectOption<V extends string = string> = {
	value: V;
	label: string;
	disabled?: boolean;
};
export type TabItem<V extends string = string> = { id: V; label: string; disabled?: boolean };
