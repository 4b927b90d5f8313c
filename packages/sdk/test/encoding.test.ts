import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/core/retry-after';
import { utf8Length } from '../src/core/utf8';
import { utf8Length as browserUtf8Length } from '../src/platform/browser/global-scope';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter(new Date(now + 10_000).toUTCString(), now)).toBe(10_000);
    expect(parseRetryAfter(new Date(now - 10_000).toUTCString(), now)).toBe(0);
  });
  it('ignores missing or malformed values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('utf8Length: the loop (npm entries, React Native) and the browser platform (TextEncoder) agree', () => {
  // What they measure is JSON: JSON.stringify escapes a lone surrogate, so only whole pairs reach them.
  const texts = ['', 'plain ascii', 'é ß ü', '€ 中文 ✓', '😀 👍🏽', JSON.stringify({ lone: '\ud800', low: 'x\udc00y', pair: '\ud83d\ude00' })];
  it.each(texts)('%j', (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    expect(browserUtf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});
