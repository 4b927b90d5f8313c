import { describe, expect, it } from 'vitest';
import { LIMITS, tooDeepIssue } from '../src';

/** `levels` nested arrays around 1: `nest(2)` is `[[1]]`. */
const nest = (levels: number): unknown => (levels === 0 ? 1 : [nest(levels - 1)]);

describe('tooDeepIssue', () => {
  it('accepts an event of exactly the limit and names the first container past it', () => {
    // event (1) → properties (2) → levels 3…32
    const atLimit = { event: 'e', properties: { a: nest(LIMITS.eventMaxDepth - 2) } };
    expect(tooDeepIssue(atLimit, LIMITS.eventMaxDepth, 'events[0]')).toBeUndefined();
    const over = { event: 'e', properties: { ok: 1, 'a b': nest(LIMITS.eventMaxDepth - 1) } };
    const issue = tooDeepIssue(over, LIMITS.eventMaxDepth, 'events[0]');
    expect(issue).toMatchObject({ code: 'too_deep', message: 'nests objects/arrays deeper than 32 levels' });
    expect(issue!.path).toBe(`events[0].properties["a b"]${'[0]'.repeat(LIMITS.eventMaxDepth - 2)}`);
  });

  it('escapes keys as JSON pointers do and walks no deeper than the limit + 1', () => {
    expect(tooDeepIssue({ 'x/y~z': { k: {} } }, 2)?.path).toBe('["x/y~z"].k');
    expect(tooDeepIssue(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 3)?.path).toBe('[0][0][0]');
    expect(tooDeepIssue('text', 0)).toBeUndefined();
    expect(tooDeepIssue({}, 0)?.path).toBe('');
  });
});
