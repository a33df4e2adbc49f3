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
