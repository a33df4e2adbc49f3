/** The emulator's sign-in and consent pages: plain, accessible HTML forms a browser test can fill. */

export function escapeHtml(s: string): string {
	return s.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
	);
}

function page(title: string, body: string, wide = false): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Hugging Face (emulator)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f9fafb;color:#111827;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:2rem;width:min(24rem,90vw)}
main.wide{width:min(56rem,94vw);margin:2rem 0}
pre{white-space:pre-wrap;background:#f3f4f6;padding:1rem;border-radius:6px;overflow:auto}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e5e7eb}
h1{font-size:1.25rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #9ca3af;border-radius:6px;font:inherit}
button{margin-top:1rem;padding:.5rem 1rem;border-radius:6px;border:1px solid #111827;background:#111827;color:#fff;font:inherit;cursor:pointer}
button.secondary{background:#fff;color:#111827}
.error{color:#b91c1c}
ul{padding-left:1.25rem}
.actions{display:flex;gap:.5rem}
</style>
</head>
<body><main${wide ? ' class="wide"' : ''}>${body}</main></body>
</html>`;
}

export function loginPage(uid: string, clientName: string, error?: string, username = ''): string {
	return page(
		'Sign in',
		`<h1>Sign in to Hugging Face</h1>
<p>to continue to <strong>${escapeHtml(clientName)}</strong></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oauth/interaction/${escapeHtml(uid)}/login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`
	);
}

const SCOPE_TEXT: Record<string, string> = {
	openid: 'Sign you in with your Hugging Face account',
	profile: 'Read your username, full name and avatar',
	email: 'Read your email address',
	'read-repos': 'Read access to your personal repos',
	'gated-repos': 'Read access to the public gated repos you have been granted',
	'write-repos': 'Write access to your personal repos',
	'manage-repos': 'Create and delete your personal repos',
	'inference-api': 'Make calls to Inference Providers on your behalf'
};

export function consentPage(
	uid: string,
	clientName: string,
	user: string,
	scopes: string[]
): string {
	const items = scopes.map(
		(s) => `<li>${escapeHtml(SCOPE_TEXT[s] ?? s)} <code>${escapeHtml(s)}</code></li>`
	);
	return page(
		'Authorize',
		`<h1>Authorize ${escapeHtml(clientName)}</h1>
<p>Signed in as <strong>${escapeHtml(user)}</strong>. ${escapeHtml(clientName)} asks to:</p>
<ul>${items.join('')}</ul>
<form method="post" action="/oauth/interaction/${escapeHtml(uid)}/confirm" class="actions">
<button type="submit" name="decision" value="authorize">Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`
	);
}

export function errorPage(message: string): string {
	return page('Error', `<h1>Something went wrong</h1><p role="alert">${escapeHtml(message)}</p>`);
}

function bytes(n: number): string {
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let i = 0;
	while (n >= 1000 && i < units.length - 1) {
		n /= 1000;
		i++;
	}
	return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** A bare model page at `/{id}` (the app links to it as "View on Hugging Face"). */
export function repoPage(
	id: string,
	info: { gated: false | string; private: boolean; sha: string; readme: string },
	files: { path: string; size: number; lfs: boolean }[]
): string {
	const rows = files
		.map(
			(f) =>
				`<tr><td>${escapeHtml(f.path)}</td><td>${bytes(f.size)}</td><td>${f.lfs ? 'LFS' : ''}</td></tr>`
		)
		.join('');
	const flags = [info.private ? 'private' : '', info.gated ? `gated (${info.gated})` : '']
		.filter(Boolean)
		.join(', ');
	return page(
		id,
		`<h1>${escapeHtml(id)}</h1>
<p>Hub emulator model page${flags ? ` · ${escapeHtml(flags)}` : ''} · commit <code>${info.sha.slice(0, 10)}</code></p>
<h2>Files</h2>
<table><thead><tr><th>Path</th><th>Size</th><th>Storage</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Model card</h2>
<pre>${escapeHtml(info.readme)}</pre>`,
		true
	);
}

/** A bare profile page at `/{user}` (userinfo's `profile`). */
export function profilePage(name: string, fullname: string, repos: string[]): string {
	return page(
		name,
		`<h1>${escapeHtml(fullname)}</h1><p>@${escapeHtml(name)}</p><h2>Models</h2><ul>${repos
			.map((r) => `<li><a href="/${escapeHtml(r)}">${escapeHtml(r)}</a></li>`)
			.join('')}</ul>`,
		true
	);
}
