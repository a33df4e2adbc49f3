import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stripEventHandlers } from './strip-handlers';

/**
 * Each probe is parsed by the real HTML parser inside a frame whose CSP forbids inline handlers:
 * the raw probe makes the browser report a violation while parsing (the bug), the stripped one
 * must not, and must leave no `on…` attribute anywhere in the parsed document.
 */
const PROBES = [
	'<img src=x onerror="window.__x=1">',
	'<img src=x ONERROR=alert(1)>',
	'<img src="a>b" onerror=alert(1)>',
	"<img src='a' onerror='x'>",
	'<img src="x"onerror="x">',
	'<img src=x onerror = "x" >',
	'<img/src=x/onerror=x>',
	'<img src=x\tonerror\n=\nx>',
	'<p title="x" onclick="a()" onmouseover=b()>p</p>',
	'<a href="#" title="<img onerror=x>" onfocus="x()">a</a>',
	'<div =onclick onclick=x>d</div>',
	'<body onload="x()">',
	'<details open ontoggle="x()"><summary>s</summary></details>',
	'<!-- <img title="--> <img src=x onerror=x>" -->',
	'<!--> <img src=x onerror=x>',
	'<!---> <img src=x onerror=x>',
	'<!-- a --!> <img src=x onerror=x>',
	'<! bogus > <img src=x onerror=x>',
	'<? pi > <img src=x onerror=x>',
	'</ x > <img src=x onerror=x>',
	'</a title=">"> <img src=x onerror=x>',
	'<script>"<img title=\'</script><img src=x onerror=x>\'"</script>',
	'<script><!--<script></script><a title="</script><img src=x onerror=x>">',
	'<style><img title="</style><img src=x onerror=x>"></style>',
	'<textarea><img title="</textarea><img src=x onerror=x>"></textarea>',
	'<title></title><img src=x onerror=x>',
	'<xmp><img title="</xmp><img src=x onerror=x>"></xmp>',
	'<noscript><p title="</noscript><img src=x onerror=x>"></noscript>',
	'<svg><style><img src=x onerror=x></style></svg>',
	'<svg onload=x()><![CDATA[ ]]><img src=x onerror=x></svg>',
	'<math><mtext><table><mglyph><style><img src=x onerror=x>',
	'<select><style><img title="</style><img src=x onerror=x>"></select>',
	'<template><img src=x onerror=x></template>',
	'<table><td onclick=x>t</td></table>',
	'<plaintext><img src=x onerror=x>',
	'<iframe srcdoc="<img src=x onerror=x>" onload=x></iframe>',
	'<a href=x onclick=x',
	'<img src=x onerror'
];

let frame: HTMLIFrameElement;

beforeAll(async () => {
	frame = document.createElement('iframe');
	frame.srcdoc =
		'<!doctype html><meta http-equiv="Content-Security-Policy" content="script-src \'none\'"><title>csp</title>';
	const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
	document.body.append(frame);
	await loaded;
});
afterAll(() => frame.remove());

/** Parses `html` in the CSP frame; returns the violations it reported and the parsed document. */
async function parseUnderCsp(html: string): Promise<{ violations: number; doc: Document }> {
	const win = frame.contentWindow as Window & typeof globalThis;
	let violations = 0;
	const count = () => violations++;
	win.document.addEventListener('securitypolicyviolation', count);
	const doc = new win.DOMParser().parseFromString(html, 'text/html');
	await new Promise((resolve) => setTimeout(resolve, 0));
	win.document.removeEventListener('securitypolicyviolation', count);
	return { violations, doc };
}

function handlerAttributes(doc: Document): string[] {
	const found: string[] = [];
	const visit = (root: ParentNode) => {
		for (const element of root.querySelectorAll('*')) {
			for (const attribute of element.attributes)
				if (/^on/i.test(attribute.name)) found.push(`${element.localName}[${attribute.name}]`);
			if (
				element instanceof (frame.contentWindow as unknown as typeof globalThis).HTMLTemplateElement
			)
				visit(element.content);
		}
	};
	visit(doc);
	return found;
}

describe('stripEventHandlers', () => {
	test('the probes do make the browser report a violation when parsed as they are', async () => {
		const { violations } = await parseUnderCsp(PROBES[0]!);
		expect(violations).toBeGreaterThan(0);
	});

	test.each(PROBES)('leaves no handler for the parser: %s', async (probe) => {
		const stripped = stripEventHandlers(probe);
		const { violations, doc } = await parseUnderCsp(stripped);
		expect(handlerAttributes(doc), stripped).toEqual([]);
		expect(violations, stripped).toBe(0);
	});

	test('keeps ordinary markup byte for byte', () => {
		const html =
			'<p align="center"><img src="https://huggingface.co/a.png" alt="one > two" width=100></p>\n<details><summary>More</summary><table><tr><td>x</td></tr></table></details>';
		expect(stripEventHandlers(html)).toBe(html);
	});
});
