import { describe, expect, it } from 'vitest';
import { jsonCopy } from '../src/core/draft';

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('jsonCopy (properties snapshotted at call time)', () => {
  it.each([
    ['flat values', { s: 'x', n: 1.5, t: true, f: false, z: null }],
    ['values JSON drops or nulls', { u: undefined, fn: () => 1, sym: Symbol('s'), nan: NaN, inf: -Infinity, n: 2 }],
    ['integer-like keys first, as JSON orders them', { b: 1, 2: 'two', a: 2, 1: 'one' }],
    ['nested objects and arrays', { a: [1, undefined, { b: NaN }], o: { d: new Date(0) } }],
    ['a date', { at: new Date(86_400_000) }],
    ['an own toJSON', { toJSON: () => ({ replaced: true }) }],
    ['an own __proto__ key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown],
    ['a class instance', new (class Point { x = 1; y = 2; })()],
    ['boxed primitives', { n: new Number(2), s: new String('s'), b: new Boolean(false), a: [new Number(NaN)] }],
    // eslint-disable-next-line prefer-rest-params -- an `arguments` object is the value under test
    ['values with keys that are also iterable or thenable', { args: (function (..._: number[]) { return arguments; })(1, 2), bag: new (class Bag { n = 1; *[Symbol.iterator]() { yield this.n; } })(), job: { id: 3, then: () => undefined } }],
    ['an array with its own toJSON', { a: Object.assign([1, 2], { toJSON: () => 'custom' }), sub: new (class extends Array { toJSON() { return 'sub'; } })() }],
    ['toJSON with its key, nested', { list: [{ toJSON: (key: string) => `at ${key}` }], o: { k: { toJSON: (key: string) => ({ key }) } } }],
  ])('copies %s exactly as a JSON round trip does', (_, value) => {
    const copy = jsonCopy(value);
    expect(copy).toStrictEqual(viaJson(value));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
  });

  it('returns a new object: later changes by the caller do not reach the copy', () => {
    const props = { a: 1 };
    const copy = jsonCopy(props);
    props.a = 2;
    expect(copy).toEqual({ a: 1 });
  });

  it('throws past 32 levels (the event itself being level 1), which also stops a cycle', () => {
    let deep: unknown = {};
    for (let i = 1; i < 32; i++) deep = [deep];
    expect(() => jsonCopy(deep)).not.toThrow();
    expect(() => jsonCopy([deep])).toThrow('deeper than 32 levels');
  });

  it.each([
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a Promise', Promise.resolve(1)],
    ['a thenable', new (class Job { then() { return undefined; } })()],
    ['a generator', (function* () { yield 1; })()],
  ])('throws on %s, which JSON would write as {} (no keys: the value lost unseen)', (_, value) => {
    expect(() => jsonCopy({ a: [value] })).toThrow('not JSON');
  });

  it('throws where JSON throws (BigInt, cycles)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonCopy({ big: 1n })).toThrow();
    expect(() => jsonCopy(cyclic)).toThrow();
  });
});
