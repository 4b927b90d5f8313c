import { DuckDBTypeId, type DuckDBResultReader, type JS } from '@duckdb/node-api';
import { keepLeadingBom } from './keep-bom';

// Before any result is read: DuckDB's client would drop a value's leading U+FEFF (see keep-bom.ts).
keepLeadingBom();

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };
export type Row = Record<string, Plain>;

/**
 * Result rows as plain JSON-safe objects: BIGINTs become numbers when exactly representable
 * (else decimal strings), timestamps ISO strings, DATE columns `YYYY-MM-DD`, blobs base64.
 */
export function toPlainRows(result: DuckDBResultReader): Row[] {
  const dateColumns = new Set(
    result
      .columnNames()
      .filter((_, i) => result.columnTypes()[i]?.typeId === DuckDBTypeId.DATE),
  );
  return result.getRowObjectsJS().map((row) => {
    const out: Row = {};
    for (const [key, value] of Object.entries(row)) {
      out[key] = dateColumns.has(key) && value instanceof Date ? value.toISOString().slice(0, 10) : toPlain(value);
    }
    return out;
  });
}

export function toPlain(value: JS): Plain {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPlain);
  const out: { [key: string]: Plain } = {};
  for (const [key, inner] of Object.entries(value)) out[key] = toPlain(inner);
  return out;
}
