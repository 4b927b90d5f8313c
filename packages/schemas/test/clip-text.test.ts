import { describe, expect, it } from 'vitest';
import { clipText, findUnstorableText } from '../src';

describe('clipText', () => {
  it('keeps text within the limit as it is', () => {
    expect(clipText('', 4)).toBe('');
    expect(clipText('abcd', 4)).toBe('abcd');
    expect(clipText('ab😀', 4)).toBe('ab😀');
  });

  it('cuts at the limit, one unit sooner when a surrogate pair straddles it', () => {
    expect(clipText('abcdef', 4)).toBe('abcd');
    expect(clipText('abc😀', 4)).toBe('abc');
    expect(clipText('ab😀cd', 4)).toBe('ab😀');
    expect(clipText('😀😀😀', 3)).toBe('😀');
    expect(clipText('😀', 1)).toBe('');
  });

  it('never leaves a lone surrogate it did not find (every cut of a text of pairs and plain units)', () => {
    const text = 'a😀𝄞bc中🎉🎉d';
    for (let max = 0; max <= text.length; max++) {
      const cut = clipText(text, max);
      expect(text.startsWith(cut)).toBe(true);
      expect(cut.length === max || cut.length === max - 1).toBe(true);
      expect(findUnstorableText(cut)).toBeUndefined();
    }
  });
});
