export { ChatRepository } from './repository';
export {
	TokenBudget,
	fitToContext,
	TURN_OVERHEAD_TOKENS,
	DEFAULT_CHARS_PER_TOKEN
} from './context';
export type { CountedTurn, FitResult } from './context';
export {
	appendText,
	afterMessage,
	beforeMessage,
	promptOf,
	toTurns,
	titleFrom,
	matchesQuery,
	throttledSaver
} from './messages';
export { streamAnswer, type AnswerEngine, type StreamAnswerOptions } from './answer';
export {
	canContinue,
	finishFromStats,
	finishOf,
	lastStats,
	mergeStats,
	storedUsage
} from './finish';
export { exportJson, exportMarkdown, exportFileName, parseImport } from './transfer';
export type { ImportedConversation } from './transfer';
export { newId } from './ids';
export { localModelLabel, looksLikeCid, shortCid } from './model-label';
export {
	CONVERSATION_EXPORT_FORMAT,
	CONVERSATION_EXPORT_VERSION,
	type Conversation,
	type ContextUsage,
	type ConversationExport,
	type FinishReason,
	type Message,
	type MessageRole,
	type MessageStatus,
	type ModelRef
} from './types';
