import { AppError } from '../errors';
import { DEFAULT_SAMPLING, type SamplingSettings } from '../inference/types';
import {
	CONVERSATION_EXPORT_FORMAT,
	CONVERSATION_EXPORT_VERSION,
	type Conversation,
	type ConversationExport,
	type Message,
	type ModelRef
} from './types';

/** Export and import of one conversation (Markdown for reading, JSON for moving). */

export function exportJson(conversation: Conversation, messages: readonly Message[]): string {
	const data: ConversationExport = {
		format: CONVERSATION_EXPORT_FORMAT,
		version: CONVERSATION_EXPORT_VERSION,
		exportedAt: new Date().toISOString(),
		conversation: {
			title: conversation.title,
			systemPrompt: conversation.systemPrompt,
			createdAt: conversation.createdAt,
			model: conversation.model,
			sampling: conversation.sampling
		},
		messages: messages
			.filter((message) => message.content.length > 0)
			.map(({ role, content, createdAt }) => ({ role, content, createdAt }))
	};
	return JSON.stringify(data, null, 2);
}

export function exportMarkdown(conversation: Conversation, messages: readonly Message[]): string {
	const lines = [`# ${conversation.title}`, ''];
	if (conversation.model) lines.push(`Model: ${conversation.model.name}`, '');
	if (conversation.systemPrompt.trim())
		lines.push('## System', '', conversation.systemPrompt.trim(), '');
	for (const message of messages) {
		if (!message.content) continue;
		lines.push(
			message.role === 'user' ? '## User' : '## Assistant',
			'',
			message.content.trim(),
			''
		);
	}
	return lines.join('\n');
}

/** A file name for an export, from the title. */
export function exportFileName(conversation: Conversation, extension: 'md' | 'json'): string {
	const slug =
		conversation.title
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 50) || 'chat';
	return `${slug}.${extension}`;
}

const MAX_IMPORT_CHARS = 20 * 1024 * 1024;

function invalid(reason: string): AppError {
	return new AppError(
		'CHAT_IMPORT_INVALID',
		`This file is not a Citrate conversation: ${reason}.`,
		{
			details: { reason }
		}
	);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readSampling(value: unknown): SamplingSettings {
	if (value === undefined) return { ...DEFAULT_SAMPLING };
	if (!isRecord(value)) throw invalid('"sampling" must be an object');
	const out: SamplingSettings = { ...DEFAULT_SAMPLING };
	const numbers: (keyof Omit<SamplingSettings, 'seed'>)[] = [
		'temperature',
		'topP',
		'topK',
		'minP',
		'repeatPenalty',
		'maxTokens'
	];
	for (const key of numbers) {
		const field = value[key];
		if (field === undefined) continue;
		if (typeof field !== 'number' || !Number.isFinite(field) || field < 0)
			throw invalid(`"sampling.${key}" must be a non-negative number`);
		out[key] = field;
	}
	if (value.seed !== undefined && value.seed !== null) {
		if (typeof value.seed !== 'number' || !Number.isInteger(value.seed))
			throw invalid('"sampling.seed" must be an integer or null');
		out.seed = value.seed;
	}
	return out;
}

function readModel(value: unknown): ModelRef | null {
	if (value === undefined || value === null) return null;
	if (!isRecord(value) || typeof value.name !== 'string') throw invalid('"model" is malformed');
	if (value.source === 'local' && typeof value.id === 'string')
		return { source: 'local', id: value.id, name: value.name };
	if (value.source === 'disk' && typeof value.sizeBytes === 'number')
		return { source: 'disk', name: value.name, sizeBytes: value.sizeBytes };
	throw invalid('"model" is malformed');
}

export interface ImportedConversation {
	conversation: Omit<Conversation, 'id' | 'updatedAt'>;
	messages: { role: 'user' | 'assistant'; content: string; createdAt: number }[];
}

/** Parses and validates an exported conversation; throws CHAT_IMPORT_INVALID with the reason. */
export function parseImport(text: string): ImportedConversation {
	if (text.length > MAX_IMPORT_CHARS) throw invalid('the file is too large');
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw invalid('it is not valid JSON');
	}
	if (!isRecord(data)) throw invalid('the top level must be an object');
	if (data.format !== CONVERSATION_EXPORT_FORMAT) throw invalid('"format" is missing or wrong');
	if (data.version !== CONVERSATION_EXPORT_VERSION)
		throw invalid(`version ${String(data.version)} is not supported`);
	const conversation = data.conversation;
	if (!isRecord(conversation)) throw invalid('"conversation" is missing');
	if (typeof conversation.title !== 'string') throw invalid('"conversation.title" must be text');
	const systemPrompt = conversation.systemPrompt ?? '';
	if (typeof systemPrompt !== 'string') throw invalid('"conversation.systemPrompt" must be text');
	if (!Array.isArray(data.messages)) throw invalid('"messages" must be a list');
	const now = Date.now();
	const messages = data.messages.map((message, index) => {
		if (!isRecord(message)) throw invalid(`message ${index + 1} is not an object`);
		if (message.role !== 'user' && message.role !== 'assistant')
			throw invalid(`message ${index + 1} has an unknown role`);
		if (typeof message.content !== 'string')
			throw invalid(`message ${index + 1} has no text content`);
		const createdAt =
			typeof message.createdAt === 'number' && Number.isFinite(message.createdAt)
				? message.createdAt
				: now + index;
		const role: 'user' | 'assistant' = message.role;
		return { role, content: message.content, createdAt };
	});
	// Keep order stable even when timestamps collide.
	for (let i = 1; i < messages.length; i++)
		if (messages[i]!.createdAt <= messages[i - 1]!.createdAt)
			messages[i]!.createdAt = messages[i - 1]!.createdAt + 1;
	const createdAt =
		typeof conversation.createdAt === 'number' && Number.isFinite(conversation.createdAt)
			? conversation.createdAt
			: now;
	return {
		conversation: {
			title: conversation.title.trim() || 'Imported chat',
			systemPrompt,
			createdAt,
			model: readModel(conversation.model),
			sampling: readSampling(conversation.sampling)
		},
		messages
	};
}
