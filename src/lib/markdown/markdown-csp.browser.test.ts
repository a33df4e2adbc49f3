import { expect, test } from 'vitest';
import { renderMarkdown } from './index';

/**
 * renderMarkdown in a page whose CSP forbids inline handlers (as the app's does): sanitizing a
 * hostile card must not make the browser report a single violation. (The meta tag is added at run
 * time; this file runs in its own page.)
 */
test('sanitizing a hostile model card reports no CSP violation', async () => {
	const meta = document.createElement('meta');
	meta.httpEquiv = 'Content-Security-Policy';
	meta.content = "script-src 'self' 'unsafe-eval' blob: data: http: https:";
	document.head.append(meta);
	const violations: string[] = [];
	document.addEventListener('securitypolicyviolation', (event) =>
		violations.push(`${event.violatedDirective}: ${event.sample}`)
	);
	// The policy is live: an inline handler parsed into a document is reported.
	new DOMParser().parseFromString('<img src=x onerror="1">', 'text/html');
	await new Promise((resolve) => setTimeout(resolve, 50));
	expect(violations.length, 'the CSP is enforced in this page').toBeGreaterThan(0);
	violations.length = 0;

	const html = renderMarkdown(
		'# XSS README\n\n<script>window.__xss = 1</script>\n\n<img src=x onerror="window.__xss = 2">\n\n<p onclick="x()" onmouseover=y()>Safe text after the probes.</p>\n\n<details ontoggle=z() open><summary>s</summary></details>'
	);
	await new Promise((resolve) => setTimeout(resolve, 50));
	expect(violations).toEqual([]);
	expect(html).toContain('Safe text after the probes.');
	expect(html).not.toMatch(/\son\w+=/i);
});
