import { parseDateTime } from '@eventline/schemas';

/**
 * A client's date-time (valid RFC 3339, checked before) as the lake stores every time:
 * `yyyy-MM-ddTHH:mm:ss.SSSZ`, UTC, milliseconds. Clients may write `t`/`z` in lower case, an
 * offset, no fraction or nine digits, all valid; but DuckDB's JSON reader refuses the lower case
 * (one such row failed every query reading the column), Athena's SerDe reads one pattern, and
 * Parquet keeps milliseconds: the NDJSON files now hold the same instant the Parquet files do.
 */
export function lakeTime(value: string): string {
  // Already in that form (the SDK's and the ingest's own): no parse, no new string.
  if (value.length === 24 && value.charCodeAt(23) === 0x5a && value.charCodeAt(10) === 0x54 && value.charCodeAt(19) === 0x2e) return value;
  return new Date(parseDateTime(value)).toISOString();
}
