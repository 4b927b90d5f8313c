import { describe, expect, it } from 'vitest';
import { findUnstorableText, mayHoldUnstorableText } from '../src';
import { validEvent } from './fixtures';

const NUL = 'U+0000 (NUL) is not allowed: PostgreSQL cannot store it';
const SURROGATE = 'a lone UTF-16 surrogate is not allowed: it is not Unicode text (PostgreSQL refuses it)';

describe('text PostgreSQL cannot store', () => {
  it('finds U+0000 in a nested string, an array item or a key, with its path', () => {
    expect(findUnstorableText(validEvent({ properties: { note: 'a\0b' } }), 'events[2]')).toEqual({ path: 'events[2].properties.note', code: 'invalid_value', message: NUL });
    expect(findUnstorableText({ traits: { tags: ['ok', 'x\0'] } })?.path).toBe('traits.tags[1]');
    expect(findUnstorableText({ context: { 'bad\0key': 1 } })?.path).toBe('context["bad\\u0000key"]');
    expect(findUnstorableText({ 'a/b~c': { v: '\0' } })?.path).toBe('["a/b~c"].v');
    expect(findUnstorableText(validEvent())).toBeUndefined();
  });

  it('finds lone surrogates, high or low, and lets surrogate pairs (emoji) through', () => {
    expect(findUnstorableText({ a: 'x\ud800' })).toMatchObject({ path: 'a', message: SURROGATE });
    expect(findUnstorableText({ a: '\ud800x' })).toMatchObject({ message: SURROGATE });
    expect(findUnstorableText({ a: 'x\udc00' })).toMatchObject({ message: SURROGATE });
    expect(findUnstorableText({ a: '\udc00\ud800' })).toMatchObject({ message: SURROGATE });
    expect(findUnstorableText({ a: '😀 \ud83d\ude00' })).toBeUndefined();
  });

  it('the text pre-check sees every such escape JSON can carry, and the walk drops its false alarms', () => {
    expect(mayHoldUnstorableText(JSON.stringify(validEvent({ event: 'x\0' })))).toBe(true);
    expect(mayHoldUnstorableText(JSON.stringify({ a: '\udfff' }))).toBe(true); // JSON.stringify writes \udfff
    expect(mayHoldUnstorableText('{"a":"\\uD800"}')).toBe(true); // another producer's upper case
    expect(mayHoldUnstorableText(JSON.stringify(validEvent({ event: '😀' })))).toBe(false);
    expect(mayHoldUnstorableText(JSON.stringify(validEvent()))).toBe(false);
    // A backslash followed by "u0000" is not a NUL: the pre-check says maybe, the walk says no.
    const lookalike = validEvent({ event: '\\u0000 \\ud800' });
    expect(mayHoldUnstorableText(JSON.stringify(lookalike))).toBe(true);
    expect(findUnstorableText(lookalike)).toBeUndefined();
  });

  it('walks values nested deeper than the call stack would allow', () => {
    let deep: unknown = 'end\0';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)?.path.endsWith('[0][0]')).toBe(true);
  });
});
