/**
 * Removes every `on…` attribute from HTML *before* any DOM parses it.
 *
 * Why: in Chromium every HTML parse made from a page with a CSP — `DOMParser`,
 * `createHTMLDocument`, `<template>`, even the HTML Sanitizer API's `Document.parseHTML` — checks
 * an inline event handler attribute against the page's `script-src` as it creates it, and reports
 * a violation ("Executing inline event handler violates …") although nothing runs. DOMPurify parses
 * with `DOMParser`, so a hostile model card logged violations from inside the sanitizer. This pass
 * tokenizes the markup as the HTML tokenizer does (tags, attributes with every quoting form,
 * comments, bogus comments, raw-text elements) and cuts the handler attributes out of the string;
 * DOMPurify then sanitizes as before and stays the security boundary.
 *
 * Tokenizer states this pass does not model are avoided instead: `<noscript`, `<plaintext`, `<svg`,
 * `<math`, `<select`, `<![CDATA[` and a `<script` whose content holds `<!--` (the scripting flag,
 * foreign content, the select parser, script escapes) are written as text (`&lt;…`), so the
 * browser reads exactly what this pass read. The sanitizer removes all of them anyway.
 */

const WHITESPACE = new Set(['\t', '\n', '\f', '\r', ' ']);
/** Elements whose content is text up to their end tag (RAWTEXT / RCDATA in the HTML namespace). */
const RAW_TEXT = new Set(['style', 'xmp', 'iframe', 'noembed', 'noframes', 'textarea', 'title']);
/** Start tags that would switch the tokenizer into states not modelled here: written as text. */
const AS_TEXT = new Set(['noscript', 'plaintext', 'svg', 'math', 'select']);

const isAsciiAlpha = (char: string | undefined) => char !== undefined && /^[A-Za-z]$/.test(char);

interface Tag {
	/** Index just past the tag's `>` (or the end of the input: an unfinished tag). */
	end: number;
	name: string;
	/** [start, end) spans of the attributes to drop (name, `=` and value). */
	drop: [number, number][];
}

/** Reads a start or end tag whose name starts at `from` (just after `<` or `</`). */
function readTag(html: string, from: number): Tag {
	let i = from;
	while (i < html.length && !WHITESPACE.has(html[i]!) && html[i] !== '/' && html[i] !== '>') i++;
	const name = html.slice(from, i).toLowerCase();
	const drop: [number, number][] = [];
	for (;;) {
		// before attribute name (also: after a quoted value, self-closing start tag)
		while (i < html.length && (WHITESPACE.has(html[i]!) || html[i] === '/')) i++;
		if (i >= html.length) return { end: html.length, name, drop };
		if (html[i] === '>') return { end: i + 1, name, drop };
		const start = i;
		// attribute name: the first character may be anything (even `=`)
		i++;
		while (
			i < html.length &&
			!WHITESPACE.has(html[i]!) &&
			html[i] !== '/' &&
			html[i] !== '>' &&
			html[i] !== '='
		)
			i++;
		const attribute = html.slice(start, i).toLowerCase();
		// after attribute name
		let j = i;
		while (j < html.length && WHITESPACE.has(html[j]!)) j++;
		if (html[j] === '=') {
			j++;
			while (j < html.length && WHITESPACE.has(html[j]!)) j++;
			const quote = html[j];
			if (quote === '"' || quote === "'") {
				const close = html.indexOf(quote, j + 1);
				j = close === -1 ? html.length : close + 1;
			} else {
				while (j < html.length && !WHITESPACE.has(html[j]!) && html[j] !== '>') j++;
			}
			i = j;
		}
		if (attribute.startsWith('on')) drop.push([start, i]);
	}
}

/** Index just past a comment that starts at `from` (`<!--`). */
function commentEnd(html: string, from: number): number {
	const body = from + 4;
	if (html.startsWith('>', body)) return body + 1;
	if (html.startsWith('->', body)) return body + 2;
	for (let i = body; i < html.length; i++) {
		if (html.startsWith('-->', i)) return i + 3;
		if (html.startsWith('--!>', i)) return i + 4;
	}
	return html.length;
}

/** Index just past the end of a bogus comment starting at `from` (the first `>`). */
function bogusCommentEnd(html: string, from: number): number {
	const close = html.indexOf('>', from);
	return close === -1 ? html.length : close + 1;
}

/** Index of the end tag that closes a raw-text element (or the end of the input). */
function rawTextEnd(html: string, from: number, name: string): number {
	const lower = html.toLowerCase();
	let i = from;
	for (;;) {
		const at = lower.indexOf(`</${name}`, i);
		if (at === -1) return html.length;
		const after = html[at + 2 + name.length];
		if (after === undefined || WHITESPACE.has(after) || after === '/' || after === '>') return at;
		i = at + 1;
	}
}

/** `html` without any `on…` attribute, as the HTML tokenizer would read it. */
export function stripEventHandlers(html: string): string {
	let out = '';
	let copied = 0;
	let i = 0;
	while (i < html.length) {
		const lt = html.indexOf('<', i);
		if (lt === -1) break;
		const next = html[lt + 1];
		if (isAsciiAlpha(next)) {
			const tag = readTag(html, lt + 1);
			// A script ends at its first end tag unless its text opens `<!--` (script escapes).
			const scriptEnd = tag.name === 'script' ? rawTextEnd(html, tag.end, 'script') : -1;
			const escapedScript =
				tag.name === 'script' && html.slice(tag.end, scriptEnd).includes('<!--');
			if (AS_TEXT.has(tag.name) || escapedScript) {
				out += `${html.slice(copied, lt)}&lt;`;
				copied = lt + 1;
				i = lt + 1;
				continue;
			}
			for (const [start, end] of tag.drop) {
				out += html.slice(copied, start);
				copied = end;
			}
			if (scriptEnd !== -1) i = scriptEnd;
			else i = RAW_TEXT.has(tag.name) ? rawTextEnd(html, tag.end, tag.name) : tag.end;
		} else if (next === '/' && isAsciiAlpha(html[lt + 2])) {
			const tag = readTag(html, lt + 2);
			for (const [start, end] of tag.drop) {
				out += html.slice(copied, start);
				copied = end;
			}
			i = tag.end;
		} else if (html.startsWith('<!--', lt)) {
			i = commentEnd(html, lt);
		} else if (html.startsWith('<![CDATA[', lt)) {
			out += `${html.slice(copied, lt)}&lt;`;
			copied = lt + 1;
			i = lt + 1;
		} else if (next === '!' || next === '?' || next === '/') {
			i = next === '/' && html[lt + 2] === '>' ? lt + 3 : bogusCommentEnd(html, lt + 2);
		} else {
			i = lt + 1;
		}
	}
	return out + html.slice(copied);
}
