import fc from 'fast-check';
import { text } from './text';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Numbers at the edges of a double, and what a JSON round trip or a `numeric` column might bend. */
const EDGE_NUMBERS = [
  -0, 0, 1, -1, 0.1, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 2.2250738585072014e-308, 2 ** 53, -(2 ** 53),
  2 ** 53 - 1, 2 ** 53 + 2, 2 ** 63, 2 ** 64, -(2 ** 63), 1e21, 1e-7, 123456789012345680000, 1.5e19, 0.30000000000000004, 2 ** 31 - 1, 2 ** 31, -(2 ** 31),
];

export const number = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.maxSafeInteger(),
);

/** Keys that mean something to SQL, JSON paths, JavaScript objects or a case-folding reader. */
const NASTY_KEYS = [
  '"', '\\', '.', '$', '$ref', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'a.b', 'a/b', '~1', '[0]',
  '*', "'", ';DROP TABLE events;--', 'null', 'true', '0', '-1', '1e3', 'Key', 'key', 'KEY', 'kEy', 'id', 'ID', 'İd', 'ıd', 'ß', 'SS', '\u2028', '😀',
  'e\u0301', '\u00e9', 'af_revenue', 'af_currency',
  // Known names in another case: plain keys everywhere (only the exact names have columns or rules).
  'Page', 'LOCALE', 'First_Touch', 'Server', 'IP', 'Analytics', 'ADS', 'AF_REVENUE', 'Event_Id',
];

export const key = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NASTY_KEYS) }, { weight: 4, arbitrary: text(24) }, { weight: 1, arbitrary: text(1500) });

/** An object from entries, each an own enumerable property (a `__proto__` key too, as JSON.parse makes it). */
export function fromEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

export function objectOf<T>(value: fc.Arbitrary<T>, maxKeys = 5): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(fc.tuple(key, value), { maxLength: maxKeys }).map(fromEntries);
}

const leaf: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), number, text(40), { arbitrary: text(3000), weight: 1 });

/** Any JSON value, a few levels deep, empty arrays and objects included. */
export const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json; array: Json[]; object: Json }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: objectOf(tie('value'), 4).map((o) => o as Json),
})).value;

/** `levels` nested containers (arrays and objects by `shape`), a leaf inside the last. */
export function nest(levels: number, shape: readonly boolean[], inner: Json): Json {
  let value: Json = inner;
  for (let i = levels - 1; i >= 0; i -= 1) value = shape[i % Math.max(1, shape.length)] ? [value] : (fromEntries([[i % 2 ? 'deep' : '', value]]) as Json);
  return value;
}

/**
 * An object for `properties`, `traits` or an open context key: random entries, sometimes a chain of
 * containers reaching exactly the event's nesting limit (the object sits at `level`; LIMITS.eventMaxDepth = 32).
 */
export function openObject(level: number): fc.Arbitrary<Record<string, unknown>> {
  const deep = fc
    .tuple(fc.integer({ min: 1, max: 32 - level }), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), leaf)
    .map(([levels, shape, inner]) => ({ deep: nest(levels, shape, inner) }));
  return fc.oneof(
    { weight: 4, arbitrary: objectOf(jsonValue, 6) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.tuple(objectOf(jsonValue, 3), deep).map(([a, b]) => fromEntries([...Object.entries(a), ...Object.entries(b)])) },
  );
}
