import { expect, test } from 'vitest';
test('node', () => expect(1 + 1).toBe(2));
