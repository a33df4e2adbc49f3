/**
 * Adding the user's approved origins to a page's CSP `<meta>` (done by the service worker when it
 * serves index.html). Only `connect-src` changes: the origins are appended to its source list and
 * every other byte of the policy and of the page stays as it was. Each origin is checked again
 * here (`isApprovableOrigin`), so a tampered stored value can never reach the policy.
 */
import { isApprovableOrigin, type OriginPolicy } from './origin-parse';

/** `policy` with `origins` appended to its (first) `connect-src`; unchanged when it has none. */
export function withConnectSources(
	policy: string,
	origins: readonly string[],
	originPolicy: OriginPolicy
): string {
	const safe = [...new Set(origins.filter((origin) => isApprovableOrigin(origin, originPolicy)))];
	if (safe.length === 0) return policy;
	const parts = policy.split(';');
	// The browser uses the first occurrence of a directive and ignores repeats.
	const index = parts.findIndex(
		(part) => part.trim().split(/\s+/)[0]!.toLowerCase() === 'connect-src'
	);
	if (index < 0) return policy;
	const sources = parts[index]!.trim().split(/\s+/).slice(1);
	// 'none' cannot be combined with other sources: leave such a policy as it is.
	if (sources.some((source) => source.toLowerCase() === "'none'")) return policy;
	const present = new Set(sources.map((source) => source.toLowerCase()));
	const added = safe.filter((origin) => !present.has(origin));
	if (added.length === 0) return policy;
	parts[index] = parts[index]!.replace(/\s*$/, (trailing) => ` ${added.join(' ')}${trailing}`);
	return parts.join(';');
}

const CSP_META = /<meta\s[^>]*http-equiv\s*=\s*(["'])content-security-policy\1[^>]*>/gi;
const CONTENT_ATTR = /(\scontent\s*=\s*")([^"]*)(")/i;

/**
 * `html` with `origins` added to the `connect-src` of its CSP `<meta>`. Unchanged when the page
 * has no such tag, more than one, or one whose content is not double-quoted (nothing guessed).
 */
export function rewriteCspMeta(
	html: string,
	origins: readonly string[],
	originPolicy: OriginPolicy
): string {
	const tags = [...html.matchAll(CSP_META)];
	if (tags.length !== 1) return html;
	const [tag] = tags;
	const content = CONTENT_ATTR.exec(tag![0]);
	if (!content) return html;
	// The approved origins hold no `"`, `&` or `<` (isApprovableOrigin), so no escaping is needed;
	// the existing content is kept byte for byte.
	const policy = withConnectSources(content[2]!, origins, originPolicy);
	if (policy === content[2]) return html;
	const newTag = tag![0].replace(CONTENT_ATTR, (_, before: string, __, after: string) => {
		return `${before}${policy}${after}`;
	});
	return html.slice(0, tag!.index) + newTag + html.slice(tag!.index! + tag![0].length);
}
