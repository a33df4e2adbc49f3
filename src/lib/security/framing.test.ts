import { describe, expect, test } from 'vitest';
import { framedByAnotherOrigin } from './framing';

/** A stand-in window: `top` is itself, a same-origin parent, or a parent whose location throws. */
function fakeWindow(parent: 'none' | 'same' | 'other'): Window {
	const win = { location: { origin: 'https://citrate.example' } } as unknown as {
		self: unknown;
		top: unknown;
		location: { origin: string };
	};
	win.self = win;
	if (parent === 'none') win.top = win;
	else if (parent === 'same') win.top = { location: { origin: 'https://citrate.example' } };
	else
		win.top = {
			get location(): never {
				throw new DOMException('Blocked a frame from accessing a cross-origin frame.');
			}
		};
	return win as unknown as Window;
}

describe('framedByAnotherOrigin', () => {
	test('its own tab, or a frame of its own origin, is fine', () => {
		expect(framedByAnotherOrigin(fakeWindow('none'))).toBe(false);
		expect(framedByAnotherOrigin(fakeWindow('same'))).toBe(false);
	});
	test('a frame of another origin is refused', () => {
		expect(framedByAnotherOrigin(fakeWindow('other'))).toBe(true);
	});
});
