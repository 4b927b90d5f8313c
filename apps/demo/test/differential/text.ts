import fc from 'fast-check';

/**
 * Valid-but-nasty text for the differential test: JSON's escapes, control characters, line and
 * paragraph separators, BOM, non-characters, RTL and bidi controls, combining marks, astral
 * characters (surrogate pairs), ZWJ sequences, case-fold oddities, SQL and template look-alikes,
 * and text that only looks like a forbidden escape. Never U+0000 or a lone surrogate: those are
 * refused by design (@eventline/schemas README).
 */
const PIECES = [
  'a', 'Z', '0', ' ', '"', '\\', '/', "'", '`', '\b', '\f', '\n', '\r', '\t', '\u0001', '\u001f', '\u007f', '\u0080', '\u00a0',
  '\u2028', '\u2029', '\ufeff', '\ufffd', '\uffff', '\ufffe', '\u200b', '\u200d', '\u202e', '\u202d', '\u061c',
  'שלום', 'مرحبا', 'e\u0301', '\u0301', 'Z\u0324\u0354\u0367\u0311\u0313', '😀', '𝄞', '👨‍👩‍👧‍👦', '🇫🇷', '\u{10ffff}', '\u{e0001}', '\u{1f3fb}',
  'İ', 'ı', 'ß', 'ﬃ', 'Σ', 'ς', '𐐀', '%', '%00', '\\u0000', '\\ud800', '\\\\', '<script>', "' OR 1=1 --", '$1', '${x}', '{{x}}', 'NULL', '::jsonb',
];

/** One code point, anywhere in Unicode but U+0000 and the surrogate range. */
const codePoint = fc
  .oneof(fc.integer({ min: 1, max: 0x7f }), fc.integer({ min: 0x80, max: 0xffff }), fc.integer({ min: 0x10000, max: 0x10ffff }))
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));

export const piece = fc.oneof(fc.constantFrom(...PIECES), codePoint);

/** `text` cut to `max` UTF-16 units, never ending in half a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Text of at most `max` UTF-16 units (as the schema counts), `min` at least (padded with `x`). */
export function text(max: number, min = 0): fc.Arbitrary<string> {
  const short = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
  // Near the limit: a run of pieces repeated up to `max` (one fewer when a pair straddles it).
  const long = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => {
    const unit = parts.join('') || 'x';
    return unit.repeat(Math.ceil(max / unit.length));
  });
  return fc.oneof({ weight: 4, arbitrary: short }, { weight: 1, arbitrary: long }).map((t) => {
    const cut = clip(t, max);
    return cut.length >= min ? cut : cut + 'x'.repeat(min - cut.length);
  });
}
