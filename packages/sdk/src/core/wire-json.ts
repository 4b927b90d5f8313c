/**
 * `JSON.stringify` for everything the SDK sends or stores. A page whose `Array.prototype.toJSON`
 * returns a string (Prototype.js 1.6, still on legacy sites) makes `JSON.stringify` write every array
 * as a string: `"events": "[{…}]"`, which the ingest refused batch after batch. There the replacer
 * hands JSON each array itself instead of what its toJSON made (JSON asks a value's toJSON before the
 * replacer, and not again after); elsewhere there is no replacer and no cost. Nothing global is changed.
 */
export const toJson = (value: unknown): string => JSON.stringify(value, ([] as { toJSON?: unknown }).toJSON ? keepArrays : undefined);

function keepArrays(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const own = this[key];
  return Array.isArray(own) ? own : value;
}
