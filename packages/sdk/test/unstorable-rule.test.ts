import { findUnstorableText, mayHoldUnstorableText } from '@eventline/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unstorable } from '../src/core/clip';

/**
 * The SDK's `unstorable()` (one regex, for the IIFE, which imports no schema code) is a hand copy of
 * the schema's rule (`findUnstorableText`: U+0000 or a lone UTF-16 surrogate). If they drift apart, the
 * SDK either refuses at the call what the ingest takes, or remembers an id the ingest then refuses in
 * every later event. Each string is checked as a value and as a key; and where the schema finds such
 * text, its prefilter on the JSON text (`mayHoldUnstorableText`) must say so too (it may not miss one).
 */
function expectSameVerdict(text: string): void {
  const schema = findUnstorableText(text) !== undefined;
  const context = JSON.stringify(text);
  expect(unstorable(text), `unstorable(${context})`).toBe(schema);
  expect(findUnstorableText({ [text]: 1 }) !== undefined, `as a key: ${context}`).toBe(schema);
  if (schema) expect(mayHoldUnstorableText(JSON.stringify({ properties: { text } })), `prefilter on ${context}`).toBe(true);
}

/** The pieces: each kind of text the rule tells apart, lone surrogates at both ends of their ranges. */
const PIECES = [
  '\u0000', // NUL: refused
  '\ud800', // lone high surrogates: refused
  '\udbff',
  '\udc00', // lone low surrogates: refused
  '\udfff',
  '\ud83d\ude00', // a valid pair (😀): taken
  '\udbff\udfff', // the last valid pair (U+10FFFF): taken
  '\ude00\ud83d', // a reversed pair: two lone surrogates, refused
  '\u0001', // other control characters: taken
  '\u001f',
  '\u007f',
  '\u0085',
  '\ufffd',
  'a',
  'plain ascii',
  '中文 é',
  '𝄞', // astral text, a valid pair
];

/** Every sequence of 1 to 3 pieces: each piece alone, and at the start, middle and end of another's text. */
function sequences(): string[] {
  const out = [...PIECES];
  for (const a of PIECES) for (const b of PIECES) out.push(a + b);
  for (const a of PIECES) for (const b of PIECES) for (const c of PIECES) out.push(a + b + c);
  return out;
}

describe("the SDK's unstorable() and the schema's findUnstorableText agree", () => {
  it(`on every sequence of 1 to 3 of ${PIECES.length} pieces (NUL, lone surrogates, pairs, reversed pairs, controls, ASCII, astral)`, () => {
    const all = sequences();
    expect(all).toHaveLength(PIECES.length + PIECES.length ** 2 + PIECES.length ** 3);
    for (const text of all) expectSameVerdict(text);
    // Both verdicts occur, many times each: the list is not all one kind.
    expect(all.filter(unstorable).length).toBeGreaterThan(1000);
    expect(all.filter((text) => !unstorable(text)).length).toBeGreaterThan(1000);
  });

  it('on generated strings of any UTF-16 code units (surrogates and controls weighted up)', () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), // any code point, astral ones as a valid pair
      fc.constantFrom('a', ' ', '\\u0000', '\\ud800'), // a backslash then "u…": plain text, not an escape
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 16 }), (text) => expectSameVerdict(text)),
      { numRuns: 5000 },
    );
  });
});
