import { describe, expect, test } from 'vitest';
import { demoteHeadings } from './headings';

describe('demoteHeadings', () => {
	test('moves Markdown and inline-HTML headings down, capped at h6', () => {
		const html =
			'<h1 id="a">Title</h1>\n<h2>Part</h2><H1 align="center">Raw</H1><h5>x</h5><h6>y</h6><hr>';
		expect(demoteHeadings(html, 2)).toBe(
			'<h3 id="a">Title</h3>\n<h4>Part</h4><h3 align="center">Raw</h3><h6>x</h6><h6>y</h6><hr>'
		);
	});

	test('leaves escaped text, other tags and offset 0 alone', () => {
		const html = '<p>&lt;h1&gt; is a tag</p><header><hgroup></hgroup></header>';
		expect(demoteHeadings(html, 2)).toBe(html);
		expect(demoteHeadings('<h1>a</h1>', 0)).toBe('<h1>a</h1>');
	});
});
