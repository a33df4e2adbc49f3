import type { ChatTurn } from './types';

/**
 * The prompt for a model whose GGUF has no chat template (base models such as stories260K): the
 * turns as plain text, one paragraph each, with no role markers a base model never saw. The model
 * simply continues the text, which is what such a model can do.
 */
export function formatFallbackPrompt(turns: readonly ChatTurn[]): string {
	return turns
		.map((turn) => turn.content.trim())
		.filter((content) => content.length > 0)
		.join('\n\n');
}
