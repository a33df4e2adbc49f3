/**
 * Markdown → sanitized HTML for model cards and model output.
 *
 * marked parses, highlight.js (core + a few languages) colours fenced code, `stripEventHandlers`
 * cuts `on…` attributes out of the markup before any DOM parses it (so the page's CSP never sees a
 * handler: no violation reports), and DOMPurify removes anything active (scripts, event handlers,
 * `javascript:` URLs, forms, styles). Links open in a
 * new tab without an opener or referrer; images survive only when their origin is allowed.
 * This module pulls in ~100 KB of libraries: import it lazily (`await import('$lib/markdown')`).
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { Marked, type Tokens } from 'marked';
import { stripEventHandlers } from './strip-handlers';
import { demoteHeadings } from './headings';

export interface RenderMarkdownOptions {
	/** Origins (e.g. `https://huggingface.co`) whose images may be shown; all others are dropped. */
	allowImagesFrom?: string[];
	/** Colour fenced code with highlight.js (default true). */
	highlight?: boolean;
	/**
	 * Where relative links and images point (e.g. a model repo's files on the Hub). Without it,
	 * relative images are dropped and relative links stay as written.
	 */
	baseUrl?: string;
	/**
	 * The level the document's top headings take (default 1). A model card shown under the page's
	 * `h2` section passes 3: its `# Title` becomes an `h3`, `##` an `h4`, and so on (at most `h6`).
	 */
	topHeadingLevel?: number;
}

const LANGUAGES = {
	bash,
	c,
	cpp,
	css,
	go,
	java,
	javascript,
	json,
	python,
	rust,
	shell,
	sql,
	typescript,
	xml,
	yaml
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
hljs.registerAliases(['sh', 'zsh', 'console'], { languageName: 'bash' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });

const COPY_BUTTON = '<button type="button" class="copy-code" aria-label="Copy code">Copy</button>';

function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&#39;');
}

function renderCode(token: Tokens.Code, highlight: boolean): string {
	const lang = (token.lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
	const language = lang && hljs.getLanguage(lang) ? lang : '';
	const body =
		highlight && language
			? hljs.highlight(token.text, { language, ignoreIllegals: true }).value
			: escapeHtml(token.text);
	const classes = ['hljs', language ? `language-${language}` : ''].filter(Boolean).join(' ');
	return `<div class="code-block">${COPY_BUTTON}<pre><code class="${classes}">${body}</code></pre></div>\n`;
}

function makeMarked(highlight: boolean): Marked {
	return new Marked({
		gfm: true,
		renderer: {
			code(token) {
				return renderCode(token, highlight);
			}
		}
	});
}

const markedHighlighted = makeMarked(true);
const markedPlain = makeMarked(false);

let purifier: ReturnType<typeof DOMPurify> | undefined;
/** The image origins allowed for the sanitize call in progress (sanitize is synchronous). */
let allowedImageOrigins: ReadonlySet<string> = new Set();
/** The base URL for the sanitize call in progress. */
let currentBase: string | null = null;

function absolute(url: string | null): string | null {
	if (
		url === null ||
		currentBase === null ||
		/^[a-z][a-z0-9+.-]*:/i.test(url) ||
		url.startsWith('#')
	)
		return url;
	try {
		return new URL(url, currentBase).href;
	} catch {
		return url;
	}
}

function imageAllowed(src: string | null): boolean {
	if (!src) return false;
	try {
		// Only absolute http(s) URLs: relative paths and data:/blob: URLs have no trusted origin.
		const url = new URL(src);
		return (
			(url.protocol === 'https:' || url.protocol === 'http:') && allowedImageOrigins.has(url.origin)
		);
	} catch {
		return false;
	}
}

function getPurifier(): ReturnType<typeof DOMPurify> {
	if (purifier) return purifier;
	const instance = DOMPurify(window);
	instance.addHook('afterSanitizeAttributes', (node) => {
		if (node.tagName === 'A') {
			const href = absolute(node.getAttribute('href'));
			if (href !== null) node.setAttribute('href', href);
			if (node.hasAttribute('href')) {
				node.setAttribute('target', '_blank');
				node.setAttribute('rel', 'noopener noreferrer');
			}
		} else if (node.tagName === 'IMG') {
			const src = absolute(node.getAttribute('src'));
			if (!imageAllowed(src)) node.remove();
			else {
				node.setAttribute('src', src ?? '');
				node.removeAttribute('srcset');
				node.setAttribute('loading', 'lazy');
				node.setAttribute('referrerpolicy', 'no-referrer');
			}
		}
	});
	purifier = instance;
	return instance;
}

/** Renders Markdown (with inline HTML) to HTML that is safe to assign to `innerHTML`. */
export function renderMarkdown(source: string, options: RenderMarkdownOptions = {}): string {
	const { allowImagesFrom = [], highlight = true, baseUrl, topHeadingLevel = 1 } = options;
	const html = demoteHeadings(
		(highlight ? markedHighlighted : markedPlain).parse(source, { async: false }),
		topHeadingLevel - 1
	);
	allowedImageOrigins = new Set(
		allowImagesFrom.flatMap((origin) => {
			try {
				return [new URL(origin).origin];
			} catch {
				return [];
			}
		})
	);
	currentBase = baseUrl ?? null;
	try {
		return getPurifier().sanitize(stripEventHandlers(html), {
			FORBID_TAGS: [
				'style',
				'form',
				'input',
				'textarea',
				'select',
				'iframe',
				'object',
				'embed',
				'svg',
				'math'
			],
			FORBID_ATTR: ['style', 'srcset'],
			ALLOW_DATA_ATTR: false
		});
	} finally {
		allowedImageOrigins = new Set();
		currentBase = null;
	}
}

/**
 * Wires the copy buttons of rendered code blocks inside `root` (one delegated listener).
 * Returns a function that removes it.
 */
export function handleCopyButtons(
	root: HTMLElement,
	copy: (text: string) => Promise<void> = (text) => navigator.clipboard.writeText(text)
): () => void {
	const onClick = (event: MouseEvent) => {
		const target = event.target;
		if (!(target instanceof Element)) return;
		const button = target.closest('button.copy-code');
		if (!button || !root.contains(button)) return;
		const code = button.parentElement?.querySelector('code');
		if (!code) return;
		copy(code.textContent ?? '').then(
			() => {
				button.textContent = 'Copied';
				setTimeout(() => (button.textContent = 'Copy'), 1500);
			},
			() => {
				button.textContent = 'Copy failed';
			}
		);
	};
	root.addEventListener('click', onClick);
	return () => root.removeEventListener('click', onClick);
}
