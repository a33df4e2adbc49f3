/** The Markdown renderer, loaded once on demand (it carries highlight.js and DOMPurify). */
type Render = (source: string, options?: { highlight?: boolean }) => string;

let loading: Promise<Render> | undefined;

export function loadMarkdown(): Promise<Render> {
	// A reply's own `# Title` sits below the chat's title (the page's one h1): it becomes an h2.
	loading ??= import('$lib/markdown').then(
		(module) => (source, options) =>
			module.renderMarkdown(source, { topHeadingLevel: 2, ...options })
	);
	return loading;
}

/** Copies text; false when the browser refuses. */
export async function copyText(text: string): Promise<boolean> {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch {
		return false;
	}
}

/** Saves `text` as a download named `name`. */
export function saveText(text: string, name: string, type: string): void {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.click();
	setTimeout(() => URL.revokeObjectURL(url), 1000);
}
