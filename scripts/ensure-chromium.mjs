// Makes sure a Chromium exists for the browser tests; installs Debian's where none does and we are root.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './chromium-path.mjs';

const found = findChromium();
if (found) {
	console.log(`chromium: ${found}`);
	process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
	console.error(
		"No Chromium found. Set CHROMIUM_PATH, or install Debian's chromium (apt-get install -y chromium)."
	);
	process.exit(1);
}
console.log("chromium: installing Debian's chromium with apt-get …");
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
	stdio: 'inherit'
});
const installed = findChromium();
if (!installed) {
	console.error('apt-get finished but no Chromium was found at /usr/bin/chromium.');
	process.exit(1);
}
console.log(`chromium: ${installed}`);
