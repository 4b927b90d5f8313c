import { join } from 'node:path';
import { openLake } from '@eventline/processor';

export interface LakeEvent {
  eventId: string;
  properties: string;
  requestId: string | null;
  file: string;
}

export interface LakeBadRow {
  errorType: string;
  reason: string;
  payload: string;
}

export interface LakeContents {
  events: LakeEvent[];
  badRows: LakeBadRow[];
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** DuckDB gives VARCHAR and JSON columns back as strings; anything else is a bug in the query. */
const text = (value: unknown): string => (value == null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Every event row (with the file it is in, for delivery times) and every bad row of the lake.
 * Events are read from the Parquet files directly because the `events` view does not name files.
 */
export async function readLake(lakeDir: string): Promise<LakeContents> {
  const lake = await openLake(lakeDir);
  try {
    const glob = join(lakeDir, 'events', '**', '*.parquet');
    const [count] = await lake.query(`SELECT count(*) AS n FROM glob(${quote(glob)})`);
    const events =
      Number(count?.n ?? 0) === 0
        ? []
        : await lake.query(
            `SELECT event_id, CAST(properties AS VARCHAR) AS properties,
                    json_extract_string(CAST(context AS VARCHAR), '$.server.request_id') AS request_id, filename
             FROM read_parquet(${quote(glob)}, filename = true, union_by_name = true)`,
          );
    const badRows = await lake.query(`SELECT error_type, reason, payload FROM bad_rows`);
    return {
      events: events.map((r) => ({ eventId: text(r.event_id), properties: text(r.properties), requestId: r.request_id == null ? null : text(r.request_id), file: text(r.filename) })),
      badRows: badRows.map((r) => ({ errorType: text(r.error_type), reason: text(r.reason), payload: text(r.payload) })),
    };
  } finally {
    lake.close();
  }
}
