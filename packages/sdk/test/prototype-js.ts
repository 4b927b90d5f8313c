/**
 * A test double of what Prototype.js 1.6 (still on legacy sites) does to a page: `Array.prototype.toJSON`
 * returning the array's JSON text as a string, so that `JSON.stringify([1])` is `"\"[1]\""`. Like
 * Prototype's own serializer it leaves undefined items out, and it writes nested arrays as arrays.
 * Written for these tests (not Prototype's code).
 */
export function prototypeArrayToJson(this: unknown[]): string {
  return text(this);
}

function text(value: unknown): string {
  if (Array.isArray(value)) return `[${value.filter((v) => v !== undefined).map(text).join(', ')}]`;
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${text(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value); // a primitive (no toJSON asked) or an object with its own toJSON
}

/**
 * What Prototype.js 1.6 makes `Date.prototype.toJSON`: the date's local time without milliseconds or zone,
 * in quotes that are part of the string (`"\"2026-11-27T15:10:00\""` from JSON.stringify). Written for these tests.
 */
export function prototypeDateToJson(this: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${this.getFullYear()}-${two(this.getMonth() + 1)}-${two(this.getDate())}`;
  return `"${day}T${two(this.getHours())}:${two(this.getMinutes())}:${two(this.getSeconds())}"`;
}

/**
 * Runs `body` with `proto.toJSON` set as Prototype.js 1.6 sets it (`toJson`: Array's by default, or
 * Date's), and takes it away again (even if `body` throws).
 */
export async function withPrototypeJs<T>(body: () => T | Promise<T>, proto: object = Array.prototype, toJson: unknown = prototypeArrayToJson): Promise<T> {
  const native = Object.getOwnPropertyDescriptor(proto, 'toJSON');
  (proto as { toJSON?: unknown }).toJSON = toJson; // assigned, so enumerable, as Prototype's Object.extend leaves it
  try {
    return await body();
  } finally {
    if (native) Object.defineProperty(proto, 'toJSON', native);
    else delete (proto as { toJSON?: unknown }).toJSON;
  }
}

/** What Prototype.js 1.6 makes `Number.prototype.toJSON`: the number as a string ("null" unless finite). Written for these tests. */
export function prototypeNumberToJson(this: number): string {
  return isFinite(this) ? this.toString() : 'null';
}

/** What Prototype.js 1.6 makes `String.prototype.toJSON`: the string in quotes that are part of it. Written for these tests. */
export function prototypeStringToJson(this: string): string {
  return JSON.stringify(String(this));
}
