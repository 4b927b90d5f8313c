import { describe, expect, it } from 'vitest';
import { LIMITS, nestingDepth, tooDeepIssue } from '../src';

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

describe('tooDeepIssue', () => {
  it('names the first container past the limit in document order, through arrays and objects', () => {
    // a (2) → a[1] (3) → a[1].b (4, past 3) comes before c's [[[]]] (also 4).
    expect(tooDeepIssue({ a: [1, { b: [[]] }], c: [[[]]] }, 3, 'events[0]')?.path).toBe('events[0].a[1].b');
    expect(tooDeepIssue({ ok: [1, 2], x: null, deep: { y: 'z', v: [[]] } }, 3)?.path).toBe('deep.v[0]');
  });
});

describe('nestingDepth (the ingest\'s body ceiling and the per-event limit walk the same way)', () => {
  const deep = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));
  it('is the depth of the deepest array or object, wherever it sits', () => {
    expect(nestingDepth('x', 32)).toBe(0);
    expect(nestingDepth({}, 32)).toBe(1);
    expect(nestingDepth({ a: 1, b: [1, { c: [] }], d: null }, 32)).toBe(4);
    expect(nestingDepth([1, 'x', [[[]]], {}], 32)).toBe(4);
  });

  it('stops just past the limit, however deep the value goes (no stack overflow)', () => {
    expect(nestingDepth(deep(32), 32)).toBe(32);
    expect(nestingDepth({ ok: deep(3), deep: deep(33) }, 32)).toBe(33);
    expect(nestingDepth(deep(100_000), 32)).toBe(33);
  });

  it('given a path, fills it (deepest key first) only when past the limit', () => {
    const within: (string | number)[] = [];
    expect(nestingDepth({ a: [[]] }, 3, within)).toBe(3);
    expect(within).toEqual([]);
    const past: (string | number)[] = [];
    expect(nestingDepth({ a: 1, b: [{ c: {} }] }, 3, past)).toBe(4);
    expect(past).toEqual(['c', 0, 'b']);
  });
});
