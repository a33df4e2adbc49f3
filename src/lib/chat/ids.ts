/** A random, sortable-enough id for conversations and messages. */
export function newId(prefix: string): string {
	return `${prefix}_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
}
