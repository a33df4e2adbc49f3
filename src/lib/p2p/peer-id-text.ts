/**
 * A peer id as Citrate shows it: an ellipsis and its last 8 characters (the whole id goes in a
 * tooltip). No dependencies: the shell uses it on first load.
 */
export function shortPeerId(id: string): string {
	return `…${id.slice(-8)}`;
}
