/** Choosing the context window (llama.cpp `n_ctx`) for a model. */

/** The sizes offered, in tokens; a model also gets its own trained length when it is not one of these. */
export const CONTEXT_SIZE_STEPS: readonly number[] = [
	512, 1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072
];
/** Without a choice: this many tokens, or the trained length when that is smaller. */
export const DEFAULT_CHAT_CONTEXT_SIZE = 4096;
/** Without a choice and without a readable trained length. */
export const FALLBACK_CONTEXT_SIZE = 2048;
/** The largest size offered when the trained length is unknown. */
const UNKNOWN_TRAINED_MAX = 32_768;

function positive(value: number | null | undefined): number | null {
	return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/** The sizes a user may pick for a model trained on `trained` tokens (ascending, none above it). */
export function contextSizeChoices(trained: number | null | undefined): number[] {
	const cap = positive(trained);
	const max = cap ?? UNKNOWN_TRAINED_MAX;
	const choices = CONTEXT_SIZE_STEPS.filter((size) => size <= max);
	if (cap !== null && !choices.includes(cap)) choices.push(cap);
	return choices.sort((a, b) => a - b);
}

/**
 * The context size to load with: the user's choice (or 4096 when none), never more than the
 * model's trained length.
 */
export function chooseContextSize(
	preference: number | null | undefined,
	trained: number | null | undefined
): number {
	const cap = positive(trained);
	const wanted =
		positive(preference) ?? (cap === null ? FALLBACK_CONTEXT_SIZE : DEFAULT_CHAT_CONTEXT_SIZE);
	return cap === null ? wanted : Math.min(wanted, cap);
}
