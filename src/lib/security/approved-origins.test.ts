import { describe, expect, test } from 'vitest';
import { AppError } from '../errors';
import { rewriteCspMeta, withConnectSources } from './csp-rewrite';
import {
	isApprovableOrigin,
	loopbackHttpAllowedFor,
	parseApprovableOrigin,
	type OriginPolicy
} from './origin-parse';

const PROD: OriginPolicy = { allowLoopbackHttp: false };
const LOOPBACK_BUILD: OriginPolicy = { allowLoopbackHttp: true };

const POLICY =
	"default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; worker-src 'self' blob:; " +
	"connect-src 'self' data: blob: https://huggingface.co; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'";

function refusal(input: string, policy = PROD): AppError {
	try {
		parseApprovableOrigin(input, policy);
	} catch (error) {
		expect(AppError.is(error, 'CSP_ORIGIN_INVALID')).toBe(true);
		expect((error as AppError).message).not.toMatch(/CSP_ORIGIN_INVALID/);
		return error as AppError;
	}
	throw new Error(`accepted: ${input}`);
}

describe('parseApprovableOrigin', () => {
	test.each([
		['https://pins.example.org', 'https://pins.example.org'],
		['  https://pins.example.org/  ', 'https://pins.example.org'],
		['https://pins.example.org/api/v1', 'https://pins.example.org'],
		['HTTPS://Pins.Example.ORG:8443/psa', 'https://pins.example.org:8443'],
		['https://pins.example.org:443', 'https://pins.example.org'],
		['wss://node.home.example:4003', 'wss://node.home.example:4003'],
		['https://bücher.example', 'https://xn--bcher-kva.example'],
		['https://192.0.2.7:8443', 'https://192.0.2.7:8443']
	])('accepts %s as %s', (input, origin) => {
		expect(parseApprovableOrigin(input, PROD)).toBe(origin);
	});

	test.each([
		'',
		'*',
		'https://*',
		'https://*.example.org',
		'https://pins.example.org:*',
		"'unsafe-inline'",
		"https://'unsafe-inline'",
		"https://pins.example.org 'unsafe-inline'",
		'https://pins.example.org; script-src *',
		'https://pins.example.org;script-src',
		'https://a.example,https://b.example',
		'https://pins.example.org\tdata:',
		'https://pins.example.org\nscript-src *',
		'https://pins.example.org"><script>alert(1)</script>',
		'https://pins.example.org`',
		'data:',
		'data:text/html,hi',
		'blob:https://pins.example.org/x',
		'javascript:alert(1)',
		'https:',
		'wss:',
		'pins.example.org',
		'//pins.example.org',
		'ftp://pins.example.org',
		'http://pins.example.org',
		'ws://node.example.org',
		'https://user:secret@pins.example.org',
		'https://token@pins.example.org',
		'https://pins.example.org/?x=1',
		'https://pins.example.org/#frag',
		'https://[::1]:5001',
		'https://pins..example.org',
		'https://-pins.example.org',
		'https://pins.example.org.',
		'https://pins_example.org',
		'https://pins.example.org%3b',
		'https://pins.example.org%27'
	])('refuses %j', (input) => {
		refusal(input);
	});

	test('plain http and ws only on loopback, only in a loopback build', () => {
		refusal('http://127.0.0.1:9000');
		refusal('ws://localhost:4003');
		expect(parseApprovableOrigin('http://127.0.0.1:9000/x', LOOPBACK_BUILD)).toBe(
			'http://127.0.0.1:9000'
		);
		expect(parseApprovableOrigin('ws://localhost:4003', LOOPBACK_BUILD)).toBe(
			'ws://localhost:4003'
		);
		refusal('http://192.168.1.5:5001', LOOPBACK_BUILD);
		refusal('http://127.0.0.1.example.org', LOOPBACK_BUILD);
		refusal('http://localhost.example.org', LOOPBACK_BUILD);
	});

	test('the message says what is wrong, in words', () => {
		expect(refusal('http://pins.example.org').message).toMatch(/https:\/\/ or wss:\/\//);
		expect(refusal('https://a.example; script-src *').message).toMatch(/characters/);
		expect(refusal('https://u:p@pins.example.org').message).toMatch(/password/);
	});
});

describe('loopbackHttpAllowedFor (from the build’s Hub URL)', () => {
	test.each([
		['http://127.0.0.1:8787', true],
		['http://localhost:8787', true],
		['https://huggingface.co', false],
		['https://127.0.0.1:8787', false],
		['http://hub.example.org', false],
		['not a url', false]
	])('%s → %s', (hub, allowed) => {
		expect(loopbackHttpAllowedFor(hub)).toBe(allowed);
	});
});

describe('withConnectSources', () => {
	test('appends to connect-src and leaves every other directive byte-identical', () => {
		const result = withConnectSources(
			POLICY,
			['https://pins.example.org', 'wss://node.example:4003'],
			PROD
		);
		const before = POLICY.split(';');
		const after = result.split(';');
		expect(after).toHaveLength(before.length);
		after.forEach((part, i) => {
			if (part.trim().startsWith('connect-src'))
				expect(part).toBe(`${before[i]} https://pins.example.org wss://node.example:4003`);
			else expect(part).toBe(before[i]);
		});
	});

	test('drops any stored value that is not a safe origin (tampered storage)', () => {
		const hostile = [
			"'unsafe-inline'",
			'*',
			'https:',
			'data:',
			'https://*.example.org',
			'https://a.example; script-src *',
			'https://a.example https://b.example',
			'http://attacker.example',
			'http://127.0.0.1:9000',
			'https://a.example"><script>',
			'https://a.example/path'
		];
		expect(withConnectSources(POLICY, hostile, PROD)).toBe(POLICY);
		expect(withConnectSources(POLICY, [...hostile, 'https://ok.example'], PROD)).toBe(
			POLICY.replace('https://huggingface.co;', 'https://huggingface.co https://ok.example;')
		);
	});

	test('duplicates and origins already listed are not added again', () => {
		expect(withConnectSources(POLICY, ['https://huggingface.co'], PROD)).toBe(POLICY);
		expect(
			withConnectSources(POLICY, ['https://a.example', 'https://a.example'], PROD).match(
				/https:\/\/a\.example/g
			)
		).toHaveLength(1);
	});

	test('a policy without connect-src, or with connect-src none, is left as it is', () => {
		const noConnect = "default-src 'self'; img-src 'self'";
		expect(withConnectSources(noConnect, ['https://a.example'], PROD)).toBe(noConnect);
		const none = "default-src 'self'; connect-src 'none'";
		expect(withConnectSources(none, ['https://a.example'], PROD)).toBe(none);
	});

	test('only the first connect-src (the one the browser uses) changes', () => {
		const twice = "connect-src 'self'; connect-src https://x.example";
		expect(withConnectSources(twice, ['https://a.example'], PROD)).toBe(
			"connect-src 'self' https://a.example; connect-src https://x.example"
		);
	});
});

describe('rewriteCspMeta', () => {
	const page = (content: string) =>
		`<!doctype html><html><head><meta charset="utf-8">\n\t\t<meta http-equiv="content-security-policy" content="${content}">\n<link rel="icon" href="/favicon.png"></head><body><script>boot()</script></body></html>`;

	test('rewrites only the policy content; the rest of the page is unchanged', () => {
		const html = page(POLICY);
		const result = rewriteCspMeta(html, ['https://pins.example.org'], PROD);
		const expected = page(
			POLICY.replace('https://huggingface.co;', 'https://huggingface.co https://pins.example.org;')
		);
		expect(result).toBe(expected);
	});

	test('no approved origins, or only hostile ones: the same string', () => {
		const html = page(POLICY);
		expect(rewriteCspMeta(html, [], PROD)).toBe(html);
		expect(rewriteCspMeta(html, ['"><script>alert(1)</script>', "'unsafe-eval'"], PROD)).toBe(html);
	});

	test('no CSP meta, or two of them: nothing is guessed', () => {
		const none = '<html><head></head></html>';
		expect(rewriteCspMeta(none, ['https://a.example'], PROD)).toBe(none);
		const two = page(POLICY).replace(
			'<link',
			`<meta http-equiv="Content-Security-Policy" content="x"><link`
		);
		expect(rewriteCspMeta(two, ['https://a.example'], PROD)).toBe(two);
	});

	test('loopback http only for a loopback build', () => {
		const html = page(POLICY);
		expect(rewriteCspMeta(html, ['http://127.0.0.1:9000'], PROD)).toBe(html);
		expect(rewriteCspMeta(html, ['http://127.0.0.1:9000'], LOOPBACK_BUILD)).toContain(
			'https://huggingface.co http://127.0.0.1:9000;'
		);
	});
});

test('isApprovableOrigin refuses port 0, ports past 65535 and leading zeros', () => {
	expect(isApprovableOrigin('https://a.example:0', PROD)).toBe(false);
	expect(isApprovableOrigin('https://a.example:65536', PROD)).toBe(false);
	expect(isApprovableOrigin('https://a.example:0443', PROD)).toBe(false);
	expect(isApprovableOrigin('https://a.example:8443', PROD)).toBe(true);
});
