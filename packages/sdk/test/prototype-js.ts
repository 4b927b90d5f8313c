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

/** Runs `body` with `proto.toJSON` set as Prototype.js 1.6 sets it, and takes it away again (even if `body` throws). */
export async function withPrototypeJs<T>(body: () => T | Promise<T>, proto: object = Array.prototype): Promise<T> {
  (proto as { toJSON?: unknown }).toJSON = prototypeArrayToJson; // assigned, so enumerable, as Prototype's Object.extend leaves it
  try {
    return await body();
  } finally {
    delete (proto as { toJSON?: unknown }).toJSON;
  }
}
