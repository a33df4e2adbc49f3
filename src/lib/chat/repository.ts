import type { IDBPDatabase } from 'idb';
import { openCitrateDB, type CitrateDB } from '../storage/db';
import { DEFAULT_SAMPLING } from '../inference/types';
import { newId } from './ids';
import { matchesQuery } from './messages';
import type { ImportedConversation } from './transfer';
import type { Conversation, Message } from './types';

/**
 * A plain copy for IndexedDB: callers may hand in reactive proxies (Svelte `$state`), which
 * structured cloning refuses. Records hold only JSON data.
 */
function plain<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/** Conversations and messages in IndexedDB (`conversations`, `messages` of the citrate DB). */
export class ChatRepository {
	readonly #open: () => Promise<IDBPDatabase<CitrateDB>>;

	constructor(open: () => Promise<IDBPDatabase<CitrateDB>> = () => openCitrateDB()) {
		this.#open = open;
	}

	/** Newest first. */
	async listConversations(): Promise<Conversation[]> {
		const db = await this.#open();
		const rows = await db.getAllFromIndex('conversations', 'byUpdated');
		return (rows as unknown as Conversation[]).reverse();
	}

	async getConversation(id: string): Promise<Conversation | null> {
		const db = await this.#open();
		return ((await db.get('conversations', id)) as unknown as Conversation | undefined) ?? null;
	}

	async createConversation(init: Partial<Omit<Conversation, 'id'>> = {}): Promise<Conversation> {
		const now = Date.now();
		const conversation: Conversation = {
			id: newId('c'),
			title: init.title ?? 'New chat',
			createdAt: init.createdAt ?? now,
			updatedAt: now,
			systemPrompt: init.systemPrompt ?? '',
			model: init.model ?? null,
			sampling: init.sampling ?? { ...DEFAULT_SAMPLING }
		};
		await this.putConversation(conversation);
		return conversation;
	}

	async putConversation(conversation: Conversation): Promise<void> {
		const db = await this.#open();
		await db.put('conversations', plain(conversation) as never);
	}

	async deleteConversation(id: string): Promise<void> {
		const db = await this.#open();
		const tx = db.transaction(['conversations', 'messages'], 'readwrite');
		const messages = tx.objectStore('messages');
		const range = IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
		for (const key of await messages.index('byConversation').getAllKeys(range))
			await messages.delete(key);
		await tx.objectStore('conversations').delete(id);
		await tx.done;
	}

	/** Oldest first. */
	async listMessages(conversationId: string): Promise<Message[]> {
		const db = await this.#open();
		const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]);
		return (await db.getAllFromIndex('messages', 'byConversation', range)) as unknown as Message[];
	}

	async putMessage(message: Message): Promise<void> {
		const db = await this.#open();
		await db.put('messages', plain(message) as never);
	}

	async deleteMessages(ids: readonly string[]): Promise<void> {
		if (ids.length === 0) return;
		const db = await this.#open();
		const tx = db.transaction('messages', 'readwrite');
		for (const id of ids) await tx.store.delete(id);
		await tx.done;
	}

	/** Conversations (newest first) whose title or text contains `query`. */
	async search(query: string): Promise<Conversation[]> {
		const all = await this.listConversations();
		if (!query.trim()) return all;
		const found: Conversation[] = [];
		for (const conversation of all)
			if (matchesQuery(conversation, await this.listMessages(conversation.id), query))
				found.push(conversation);
		return found;
	}

	async importConversation(data: ImportedConversation): Promise<Conversation> {
		const conversation = await this.createConversation(data.conversation);
		const db = await this.#open();
		const tx = db.transaction('messages', 'readwrite');
		for (const message of data.messages) {
			const record: Message = {
				id: newId('m'),
				conversationId: conversation.id,
				role: message.role,
				content: message.content,
				createdAt: message.createdAt,
				updatedAt: message.createdAt,
				status: 'complete'
			};
			await tx.store.put(record as never);
		}
		await tx.done;
		return conversation;
	}
}
