import { describe, expect, it } from 'vitest';
import { utf8Prefix } from '../src/utf8-prefix';

describe('utf8Prefix', () => {
  it('keeps text within the limit whole, and cuts longer text at a character boundary within it', () => {
    expect(utf8Prefix('abc', 3)).toEqual({ text: 'abc', cut: false });
    expect(utf8Prefix('€€', 6)).toEqual({ text: '€€', cut: false });
    expect(utf8Prefix('€€', 5)).toEqual({ text: '€', cut: true });
    expect(utf8Prefix('a😀b', 4)).toEqual({ text: 'a', cut: true });
    expect(utf8Prefix('a😀b', 5)).toEqual({ text: 'a😀', cut: true });
    expect(utf8Prefix('😀', 3)).toEqual({ text: '', cut: true });
  });
});
