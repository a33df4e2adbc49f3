import { describe, expect, test, vi } from 'vitest';
import { handleCopyButtons, renderMarkdown } from './index';

function render(source: string, options?: Parameters<typeof renderMarkdown>[1]): HTMLElement {
	const root = document.createElement('div');
	root.innerHTML = renderMarkdown(source, options);
	document.body.append(root);
	return root;
}

describe('renderMarkdown', () => {
	test('renders ordinary Markdown', () => {
		const root = render('# Title\n\nSome **bold** text and a [link](https://example.com/a).');
		expect(root.querySelector('h1')?.textContent).toBe('Title');
		expect(root.querySelector('strong')?.textContent).toBe('bold');
		const link = root.querySelector('a');
		expect(link?.getAttribute('href')).toBe('https://example.com/a');
		expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
		expect(link?.getAttribute('target')).toBe('_blank');
	});

	test('script tags are removed and never run', async () => {
		const w = window as unknown as { __pwned?: number };
		w.__pwned = 0;
		const root = render(
			'Hello\n\n<script>window.__pwned = 1</script>\n\n<div><script>window.__pwned = 2</script></div>'
		);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(root.querySelector('script')).toBeNull();
		expect(root.innerHTML).not.toContain('__pwned');
		expect(w.__pwned).toBe(0);
	});

	test('event handler attributes are stripped', async () => {
		const w = window as unknown as { __pwned?: number };
		w.__pwned = 0;
		const root = render(
			'<img src=x onerror="window.__pwned = 3">\n\n<p onclick="window.__pwned = 4" onmouseover="x()">para</p>\n\n<a href="https://example.com" onfocus="x()">a</a>',
			{ allowImagesFrom: ['http://' + location.host] }
		);
		await new Promise((resolve) => setTimeout(resolve, 50));
		for (const element of root.querySelectorAll('*')) {
			for (const attribute of element.attributes) expect(attribute.name).not.toMatch(/^on/i);
		}
		expect(root.querySelector('p')?.textContent).toBe('para');
		expect(w.__pwned).toBe(0);
	});

	test('javascript: links lose their href', () => {
		const root = render(
			'[click](javascript:alert(1)) and <a href="JaVaScRiPt:alert(2)">two</a> and <a href=" javascript:alert(3)">three</a>'
		);
		const links = [...root.querySelectorAll('a')];
		for (const link of links) {
			const href = link.getAttribute('href');
			if (href !== null) expect(href.trim().toLowerCase()).not.toMatch(/^javascript:/);
		}
		expect(root.innerHTML.toLowerCase()).not.toContain('javascript:');
	});

	test('every link gets rel="noopener noreferrer" and target=_blank', () => {
		const root = render(
			'[a](https://a.example/) <a href="https://b.example/" rel="opener" target="_self">b</a>'
		);
		const links = [...root.querySelectorAll('a')];
		expect(links).toHaveLength(2);
		for (const link of links) {
			expect(link.getAttribute('rel')).toBe('noopener noreferrer');
			expect(link.getAttribute('target')).toBe('_blank');
		}
	});

	test('images only from allowed origins', () => {
		const root = render(
			'![ok](https://huggingface.co/a.png) ![no](https://evil.example/b.png) ![rel](images/c.png) <img src="data:image/png;base64,AAAA">',
			{ allowImagesFrom: ['https://huggingface.co'] }
		);
		const images = [...root.querySelectorAll('img')];
		expect(images.map((image) => image.getAttribute('src'))).toEqual([
			'https://huggingface.co/a.png'
		]);
		expect(images[0]?.getAttribute('alt')).toBe('ok');
	});

	test('relative links and images resolve against baseUrl', () => {
		const root = render(
			'[License](LICENSE) ![diagram](assets/d.png) [top](#usage) [js](javascript:alert(1))',
			{
				allowImagesFrom: ['https://huggingface.co'],
				baseUrl: 'https://huggingface.co/org/model/resolve/abc123/'
			}
		);
		const links = [...root.querySelectorAll('a')];
		expect(links[0]?.getAttribute('href')).toBe(
			'https://huggingface.co/org/model/resolve/abc123/LICENSE'
		);
		expect(links[1]?.getAttribute('href')).toBe('#usage');
		expect(links[2]?.hasAttribute('href')).toBe(false);
		expect(root.querySelector('img')?.getAttribute('src')).toBe(
			'https://huggingface.co/org/model/resolve/abc123/assets/d.png'
		);
	});

	test('no images at all by default', () => {
		const root = render('![ok](https://huggingface.co/a.png)');
		expect(root.querySelector('img')).toBeNull();
	});

	test('forms, iframes and style are removed', () => {
		const root = render(
			'<form action="https://evil.example"><input name="x"></form><iframe src="https://evil.example"></iframe><style>body{display:none}</style><p style="position:fixed">p</p>'
		);
		expect(root.querySelector('form, input, iframe, style')).toBeNull();
		expect(root.querySelector('p')?.hasAttribute('style')).toBe(false);
	});

	test('fenced code is highlighted and gets a copy button', () => {
		const root = render('```python\ndef f(x):\n    return "<b>" + x\n```');
		const block = root.querySelector('.code-block');
		expect(block).not.toBeNull();
		const button = block?.querySelector('button.copy-code');
		expect(button?.getAttribute('type')).toBe('button');
		expect(button?.getAttribute('aria-label')).toBe('Copy code');
		const code = block?.querySelector('pre code');
		expect(code?.classList.contains('language-python')).toBe(true);
		expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('def');
		expect(code?.textContent).toBe('def f(x):\n    return "<b>" + x');
		expect(code?.querySelector('b')).toBeNull();
	});

	test('highlight: false leaves code plain but still escaped with a copy button', () => {
		const root = render('```js\nconst a = "<i>";\n```', { highlight: false });
		const code = root.querySelector('pre code');
		expect(code?.querySelector('span')).toBeNull();
		expect(code?.textContent).toBe('const a = "<i>";');
		expect(root.querySelector('button.copy-code')).not.toBeNull();
	});

	test('unknown languages are escaped, not highlighted', () => {
		const root = render('```brainfuck\n<script>alert(1)</script>\n```');
		expect(root.querySelector('script')).toBeNull();
		expect(root.querySelector('pre code')?.textContent).toBe('<script>alert(1)</script>');
	});

	test('copy buttons copy their block', async () => {
		const root = render('```\nfirst\n```\n\n```\nsecond\n```');
		const copy = vi.fn(() => Promise.resolve());
		const stop = handleCopyButtons(root, copy);
		const buttons = root.querySelectorAll<HTMLButtonElement>('button.copy-code');
		buttons[1]?.click();
		expect(copy).toHaveBeenCalledWith('second');
		await Promise.resolve();
		await Promise.resolve();
		expect(buttons[1]?.textContent).toBe('Copied');
		stop();
		buttons[0]?.click();
		expect(copy).toHaveBeenCalledTimes(1);
	});
});
