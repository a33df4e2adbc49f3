import { createContext } from 'svelte';
import { AppError, toAppError } from '$lib/errors';
import {
	ChatRepository,
	TokenBudget,
	afterMessage,
	beforeMessage,
	canContinue,
	exportJson,
	exportMarkdown,
	lastStats,
	newId,
	parseImport,
	throttledSaver,
	storedUsage,
	streamAnswer,
	titleFrom,
	toTurns,
	type ContextUsage,
	type Conversation,
	type Message
} from '$lib/chat';
import type { GenerationStats, SamplingSettings } from '$lib/inference';
import type { EngineStore } from './engine.svelte';

/** How often a streaming answer is written to IndexedDB. */
export const STREAM_SAVE_INTERVAL_MS = 250;

export type { ContextUsage };

/** Conversations, the open one's messages, and sending/stopping/regenerating/editing. */
export class ChatStore {
	readonly #repo: ChatRepository;
	readonly #engine: EngineStore;
	readonly #budget = new TokenBudget();
	#conversations = $state<Conversation[]>([]);
	#active = $state<Conversation | null>(null);
	#messages = $state<Message[]>([]);
	#query = $state('');
	#streamingId = $state<string | null>(null);
	#usage = $state<ContextUsage | null>(null);
	#error = $state<AppError | null>(null);
	#controller: AbortController | null = null;
	#ready = $state(false);

	constructor(engine: EngineStore, repo: ChatRepository = new ChatRepository()) {
		this.#engine = engine;
		this.#repo = repo;
	}

	get conversations(): readonly Conversation[] {
		return this.#conversations;
	}
	get active(): Conversation | null {
		return this.#active;
	}
	get messages(): readonly Message[] {
		return this.#messages;
	}
	get query(): string {
		return this.#query;
	}
	get streaming(): boolean {
		return this.#streamingId !== null;
	}
	get streamingId(): string | null {
		return this.#streamingId;
	}
	get usage(): ContextUsage | null {
		return this.#usage;
	}
	/** The newest answer's stats in the open conversation, as stored (its speed after a reload). */
	get lastStats(): GenerationStats | null {
		return lastStats(this.#messages);
	}
	get error(): AppError | null {
		return this.#error;
	}
	get ready(): boolean {
		return this.#ready;
	}

	/** Loads the list and opens `id` (or the newest conversation). */
	async init(id?: string | null): Promise<void> {
		await this.#refreshList();
		const target = id ?? this.#conversations[0]?.id ?? null;
		if (target) await this.select(target);
		this.#ready = true;
	}

	async #refreshList(): Promise<void> {
		this.#conversations = this.#query.trim()
			? await this.#repo.search(this.#query)
			: await this.#repo.listConversations();
	}

	async search(query: string): Promise<void> {
		this.#query = query;
		await this.#refreshList();
	}

	async select(id: string): Promise<void> {
		if (this.#active?.id === id) return;
		this.stop();
		const conversation = await this.#repo.getConversation(id);
		if (!conversation) return;
		const messages = await this.#repo.listMessages(id);
		// An answer still marked streaming was cut off by a reload or a closed tab: keep its text.
		for (const message of messages)
			if (message.status === 'streaming') {
				message.status = 'stopped';
				message.finish = 'interrupted';
				await this.#repo.putMessage(message);
			}
		this.#active = conversation;
		this.#messages = messages;
		this.#usage = storedUsage(messages, this.#engine.model?.contextSize ?? null);
		this.#prepareModel(conversation);
	}

	/** Starts loading a conversation's downloaded model in the background when nothing is loaded. */
	#prepareModel(conversation: Conversation): void {
		const wanted = conversation.model;
		if (wanted?.source !== 'local') return;
		if (this.#engine.status === 'loading' || this.#engine.status === 'ready') return;
		void this.#engine.refreshLocalModels().then(async () => {
			const idle = this.#engine.status === 'idle' || this.#engine.status === 'error';
			if (
				idle &&
				this.#active?.id === conversation.id &&
				this.#engine.localModels.some((m) => m.id === wanted.id)
			)
				await this.#engine.loadLocal(wanted.id);
		});
	}

	async newConversation(): Promise<Conversation> {
		this.stop();
		const previous = this.#active;
		const conversation = await this.#repo.createConversation({
			model: this.#engine.ref,
			systemPrompt: previous?.systemPrompt ?? '',
			...(previous ? { sampling: { ...previous.sampling } } : {})
		});
		this.#active = conversation;
		this.#messages = [];
		this.#usage = null;
		await this.#refreshList();
		return conversation;
	}

	async rename(id: string, title: string): Promise<void> {
		const clean = title.trim();
		if (!clean) return;
		const conversation = await this.#repo.getConversation(id);
		if (!conversation) return;
		await this.#saveConversation({ ...conversation, title: clean.slice(0, 120) });
	}

	async remove(id: string): Promise<void> {
		if (this.#active?.id === id) {
			this.stop();
			this.#active = null;
			this.#messages = [];
			this.#usage = null;
		}
		await this.#repo.deleteConversation(id);
		await this.#refreshList();
	}

	async updateSettings(patch: {
		systemPrompt?: string;
		sampling?: Partial<SamplingSettings>;
	}): Promise<void> {
		const conversation = this.#active;
		if (!conversation) return;
		await this.#saveConversation({
			...conversation,
			systemPrompt: patch.systemPrompt ?? conversation.systemPrompt,
			sampling: { ...conversation.sampling, ...patch.sampling }
		});
	}

	async #saveConversation(conversation: Conversation, touch = false): Promise<void> {
		const next = touch ? { ...conversation, updatedAt: Date.now() } : conversation;
		await this.#repo.putConversation(next);
		if (this.#active?.id === next.id) this.#active = next;
		await this.#refreshList();
	}

	/** Sends `text` as a new user message and streams the answer. */
	async send(text: string): Promise<void> {
		const content = text.trim();
		if (!content || this.streaming) return;
		const conversation = this.#active ?? (await this.newConversation());
		const now = Date.now();
		const user: Message = {
			id: newId('m'),
			conversationId: conversation.id,
			role: 'user',
			content,
			createdAt: Math.max(now, (this.#messages.at(-1)?.createdAt ?? 0) + 1),
			updatedAt: now,
			status: 'complete'
		};
		await this.#repo.putMessage(user);
		this.#messages = [...this.#messages, user];
		if (this.#messages.filter((message) => message.role === 'user').length === 1)
			await this.#saveConversation({ ...conversation, title: titleFrom(content) });
		await this.#answer();
	}

	/** Drops the answer `messageId` (and anything after it) and asks again. */
	async regenerate(messageId: string): Promise<void> {
		if (this.streaming) return;
		const target = this.#messages.find((message) => message.id === messageId);
		if (!target || target.role !== 'assistant') return;
		const removed = [target, ...afterMessage(this.#messages, messageId)];
		await this.#repo.deleteMessages(removed.map((message) => message.id));
		this.#messages = beforeMessage(this.#messages, messageId);
		await this.#answer();
	}

	/** Replaces the user message `messageId` with `text`, drops what followed, and asks again. */
	async editAndResend(messageId: string, text: string): Promise<void> {
		const content = text.trim();
		if (this.streaming || !content) return;
		const target = this.#messages.find((message) => message.id === messageId);
		if (!target || target.role !== 'user') return;
		const later = afterMessage(this.#messages, messageId);
		await this.#repo.deleteMessages(later.map((message) => message.id));
		const edited: Message = { ...target, content, updatedAt: Date.now() };
		delete edited.tokens;
		await this.#repo.putMessage(edited);
		this.#messages = [...beforeMessage(this.#messages, messageId), edited];
		await this.#answer();
	}

	/** Stops the answer being generated; the text so far is kept. */
	stop(): void {
		this.#controller?.abort();
	}

	dismissError(): void {
		this.#error = null;
	}

	/** Extends the answer `messageId` (cut by the token limit, or stopped) in the same message. */
	async continueAnswer(messageId: string): Promise<void> {
		if (this.streaming) return;
		const target = this.#messages.find((message) => message.id === messageId);
		if (!target || !canContinue(this.#messages, target)) return;
		await this.#answer(target);
	}

	/** Streams a reply to the conversation: into a new message, or extending `continued`. */
	async #answer(continued?: Message): Promise<void> {
		let conversation = this.#active;
		if (!conversation) return;
		this.#error = null;
		// A conversation remembers its model: load it again if another one is in the engine.
		const wanted = conversation.model;
		if (wanted?.source === 'local' && !this.#engine.isLoaded(wanted)) {
			await this.#engine.refreshLocalModels();
			if (this.#engine.localModels.some((model) => model.id === wanted.id))
				await this.#engine.loadLocal(wanted.id);
		}
		if (this.#engine.status !== 'ready' || !this.#engine.model) {
			this.#error =
				this.#engine.error ??
				new AppError(
					'ENGINE_NOT_LOADED',
					'Load a model first: pick a downloaded one or open a GGUF file.'
				);
			return;
		}
		if (this.#engine.ref && !this.#engine.isLoaded(conversation.model)) {
			conversation = { ...conversation, model: this.#engine.ref };
			await this.#saveConversation(conversation);
		}
		const model = this.#engine.model;
		const now = Date.now();
		let answer: Message;
		if (continued) {
			answer = { ...continued, status: 'streaming', updatedAt: now };
			delete answer.finish;
		} else {
			answer = {
				id: newId('m'),
				conversationId: conversation.id,
				role: 'assistant',
				content: '',
				createdAt: Math.max(now, (this.#messages.at(-1)?.createdAt ?? 0) + 1),
				updatedAt: now,
				status: 'streaming'
			};
		}
		const turns = toTurns(conversation, this.#messages);
		await this.#repo.putMessage(answer);
		this.#messages = continued
			? this.#messages.map((item) => (item.id === answer.id ? answer : item))
			: [...this.#messages, answer];
		const controller = new AbortController();
		this.#controller = controller;
		this.#streamingId = answer.id;
		const saver = throttledSaver(
			(message: Message) => this.#repo.putMessage(message),
			STREAM_SAVE_INTERVAL_MS
		);
		const show = (message: Message) => {
			answer = message;
			this.#messages = this.#messages.map((item) => (item.id === message.id ? message : item));
			saver.push(message);
		};
		try {
			await streamAnswer({
				engine: this.#engine,
				budget: this.#budget,
				turns,
				sampling: conversation.sampling,
				contextSize: model.contextSize,
				answer,
				signal: controller.signal,
				onUpdate: show,
				onUsage: (usage) => (this.#usage = usage)
			});
		} catch (error) {
			const appError = toAppError(error, 'ENGINE_FAILED');
			show({ ...answer, status: 'error', error: appError.message, updatedAt: Date.now() });
			this.#error = appError;
		} finally {
			if (answer.status === 'streaming') show({ ...answer, status: 'stopped', finish: 'stopped' });
			await saver.flush();
			if (this.#controller === controller) this.#controller = null;
			this.#streamingId = null;
			if (this.#active?.id === conversation.id) await this.#saveConversation(this.#active, true);
		}
	}

	/** The open conversation as Markdown or JSON text. */
	exportActive(format: 'md' | 'json'): string | null {
		const conversation = this.#active;
		if (!conversation) return null;
		return format === 'md'
			? exportMarkdown(conversation, this.#messages)
			: exportJson(conversation, this.#messages);
	}

	/** Imports a conversation exported as JSON; throws CHAT_IMPORT_INVALID. */
	async importJson(text: string): Promise<Conversation> {
		const data = parseImport(text);
		const conversation = await this.#repo.importConversation(data);
		this.#active = null;
		await this.select(conversation.id);
		await this.#refreshList();
		return conversation;
	}
}

export const [getChat, setChat] = createContext<ChatStore>();
