import type { GenerationStats, SamplingSettings } from '../inference/types';

/** Which model a conversation talks to. */
export type ModelRef =
	| { source: 'local'; id: string; name: string }
	| { source: 'disk'; name: string; sizeBytes: number };

export interface Conversation {
	id: string;
	title: string;
	createdAt: number;
	updatedAt: number;
	systemPrompt: string;
	model: ModelRef | null;
	sampling: SamplingSettings;
}

export type MessageRole = 'user' | 'assistant';

/** `streaming`: being generated (or the tab closed mid-answer); `stopped`: the user stopped it. */
export type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'error';

/**
 * Why an answer ended: `end` the model finished its text, `limit` it hit the token limit (it can be
 * continued), `stopped` the user stopped it, `interrupted` the page closed while it was written.
 */
export type FinishReason = 'end' | 'limit' | 'stopped' | 'interrupted';

/** How full the context window was after an answer (tokens). */
export interface ContextUsage {
	used: number;
	size: number;
	/** Older messages left out to make room. */
	dropped: number;
}

export interface Message {
	id: string;
	conversationId: string;
	role: MessageRole;
	content: string;
	createdAt: number;
	updatedAt: number;
	status: MessageStatus;
	/** Tokens this message took, as the model's tokenizer counted them (when known). */
	tokens?: number;
	stats?: GenerationStats;
	/** Why the answer ended (assistant messages; absent on messages stored before it was kept). */
	finish?: FinishReason;
	/** The context window after this answer, so a reload shows it again. */
	usage?: ContextUsage;
	error?: string;
}

export const CONVERSATION_EXPORT_FORMAT = 'citrate-conversation';
export const CONVERSATION_EXPORT_VERSION = 1;

export interface ConversationExport {
	format: typeof CONVERSATION_EXPORT_FORMAT;
	version: typeof CONVERSATION_EXPORT_VERSION;
	exportedAt: string;
	conversation: {
		title: string;
		systemPrompt: string;
		createdAt: number;
		model: ModelRef | null;
		sampling: SamplingSettings;
	};
	messages: { role: MessageRole; content: string; createdAt: number }[];
}
