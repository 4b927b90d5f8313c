import { describe, expect, it } from 'vitest';
import { findNul, mayHoldNul } from '../src';
import { validEvent } from './fixtures';

describe('U+0000 in events', () => {
  it('is found in a nested string, an array item or a key, with its path', () => {
    expect(findNul(validEvent({ properties: { note: 'a\0b' } }), 'events[2]')).toEqual({
      path: 'events[2].properties.note',
      code: 'invalid_value',
      message: 'U+0000 (NUL) is not allowed: PostgreSQL cannot store it',
    });
    expect(findNul({ traits: { tags: ['ok', 'x\0'] } })?.path).toBe('traits.tags[1]');
    expect(findNul({ context: { 'bad\0key': 1 } })?.path).toBe('context["bad\\u0000key"]');
    expect(findNul({ 'a/b~c': { v: '\0' } })?.path).toBe('["a/b~c"].v');
    expect(findNul(validEvent())).toBeUndefined();
  });

  it('the text pre-check finds every NUL JSON can carry, and the walk drops its false alarms', () => {
    const withNul = JSON.stringify(validEvent({ event: 'x\0' }));
    expect(mayHoldNul(withNul)).toBe(true);
    expect(mayHoldNul(JSON.stringify(validEvent()))).toBe(false);
    // A backslash followed by "u0000" is not a NUL: the pre-check says maybe, the walk says no.
    const lookalike = validEvent({ event: '\\u0000' });
    expect(mayHoldNul(JSON.stringify(lookalike))).toBe(true);
    expect(findNul(lookalike)).toBeUndefined();
  });

  it('walks values nested deeper than the call stack would allow', () => {
    let deep: unknown = 'end\0';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep)?.path.endsWith('[0][0]')).toBe(true);
  });
});
