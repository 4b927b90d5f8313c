import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../src/core/nesting';

describe('nestsDeeperThan', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('measures arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan('{"a":{"b":{"c":1}}}', 2)).toBe(true);
    expect(nestsDeeperThan(`{"s":"${'['.repeat(50)}"}`, 3)).toBe(false);
    expect(nestsDeeperThan(`{"s":"\\"${'{'.repeat(50)}"}`, 3)).toBe(false);
    expect(nestsDeeperThan(`[["a\\\\"],[[[[1]]]]]`, 4)).toBe(true);
  });

  it('skips text too short to nest that deep', () => {
    expect(nestsDeeperThan('[[[[[', 3)).toBe(false); // not scanned: 5 characters hold at most 2 levels and a half
    expect(nestsDeeperThan(nested(1000), 1000)).toBe(false);
    expect(nestsDeeperThan(nested(1001), 1000)).toBe(true);
  });
});
