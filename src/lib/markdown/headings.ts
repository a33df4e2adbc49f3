/**
 * Moves every heading (Markdown's and inline HTML's) down by `offset` levels, at most to `h6`, so a
 * rendered document sits below the page's own headings (one `h1` per page). Runs on the HTML from
 * marked, before sanitizing: it only renames heading tags.
 */
export function demoteHeadings(html: string, offset: number): string {
	if (offset <= 0) return html;
	return html.replace(
		/<(\/?)h([1-6])(?=[\s>/])/gi,
		(_, slash: string, level: string) => `<${slash}h${Math.min(6, Number(level) + offset)}`
	);
}
