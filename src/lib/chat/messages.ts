import type { CountedTurn } from './context';
import type { Conversation, Message } from './types';

/** Pure operations on a conversation's message list (oldest first). */

export function appendText(message: Message, text: string, now: number): Message {
	return { ...message, content: message.content + text, updatedAt: now };
}

/** Messages kept when regenerating the answer `messageId`: everything before it. */
export function beforeMessage(messages: readonly Message[], messageId: string): Message[] {
	const index = messages.findIndex((message) => message.id === messageId);
	return index < 0 ? [...messages] : messages.slice(0, index);
}

/** Messages after `messageId` (those an edit or a regenerate discards). */
export function afterMessage(messages: readonly Message[], messageId: string): Message[] {
	const index = messages.findIndex((message) => message.id === messageId);
	return index < 0 ? [] : messages.slice(index + 1);
}

/** The user message an assistant message answers. */
export function promptOf(messages: readonly Message[], assistantId: string): Message | null {
	const index = messages.findIndex((message) => message.id === assistantId);
	for (let i = index - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!;
	return null;
}

/** The turns sent to the model: system prompt, then the finished messages. */
export function toTurns(conversation: Conversation, messages: readonly Message[]): CountedTurn[] {
	const turns: CountedTurn[] = [];
	if (conversation.systemPrompt.trim())
		turns.push({ role: 'system', content: conversation.systemPrompt.trim() });
	for (const message of messages) {
		if (message.role === 'assistant' && message.content.length === 0) continue;
		if (message.status === 'error' && message.content.length === 0) continue;
		turns.push({
			role: message.role,
			content: message.content,
			...(message.tokens === undefined ? {} : { tokens: message.tokens })
		});
	}
	return turns;
}

/** A title from the first user message. */
export function titleFrom(text: string): string {
	const line = text.trim().split('\n')[0]!.replace(/\s+/g, ' ');
	if (!line) return 'New chat';
	return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/** Conversations whose title or messages contain `query` (case-insensitive). */
export function matchesQuery(
	conversation: Conversation,
	messages: readonly Pick<Message, 'content'>[],
	query: string
): boolean {
	const needle = query.trim().toLowerCase();
	if (!needle) return true;
	if (conversation.title.toLowerCase().includes(needle)) return true;
	return messages.some((message) => message.content.toLowerCase().includes(needle));
}

/**
 * Calls `save` at most once per `intervalMs` while tokens stream, always with the newest value,
 * and once more on `flush()` so nothing is lost at the end.
 */
export function throttledSaver<T>(
	save: (value: T) => Promise<void>,
	intervalMs: number
): { push(value: T): void; flush(): Promise<void> } {
	let pending: T | undefined;
	let hasPending = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let chain: Promise<void> = Promise.resolve();
	const run = () => {
		timer = undefined;
		if (!hasPending) return;
		const value = pending as T;
		hasPending = false;
		chain = chain.then(() => save(value)).catch(() => {});
	};
	return {
		push(value) {
			pending = value;
			hasPending = true;
			timer ??= setTimeout(run, intervalMs);
		},
		async flush() {
			if (timer !== undefined) clearTimeout(timer);
			run();
			await chain;
		}
	};
}
