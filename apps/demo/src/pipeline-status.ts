import { runQuery } from '@eventline/processor';
import { Hono } from 'hono';

export interface PipelineStatus {
  generated_at: string;
  /** Since the ingest process started (its counters live in memory). */
  ingest: { up: boolean; accepted: number | null; rejected: number | null; retry: number | null; records_written: number | null; circuit_open: boolean | null };
  /** Everything the lake holds (it survives restarts). */
  lake: { events: number; bad_rows: number; bad_rows_by_reason: Record<string, number> };
}

/** Sum the samples of one Prometheus metric whose labels contain `match` (e.g. `status="accepted"`). */
export function promSum(text: string, name: string, match = ''): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another metric sharing the prefix
    if (match !== '' && !rest.includes(match)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

async function ingestStatus(ingestUrl: string): Promise<PipelineStatus['ingest']> {
  try {
    const res = await fetch(`${ingestUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const text = res.ok ? await res.text() : '';
    const open = promSum(text, 'ingest_writer_circuit_open');
    return {
      up: res.ok,
      accepted: promSum(text, 'ingest_events_total', 'status="accepted"'),
      rejected: promSum(text, 'ingest_events_total', 'status="rejected"'),
      retry: promSum(text, 'ingest_events_total', 'status="retry"'),
      records_written: promSum(text, 'ingest_kinesis_records_written_total'),
      circuit_open: open === null ? null : open > 0,
    };
  } catch {
    // Down or restarting: the view shows it as down rather than failing as a whole.
    return { up: false, accepted: null, rejected: null, retry: null, records_written: null, circuit_open: null };
  }
}

/** GET /api/pipeline: counts at each stage, for the live pipeline view (polled by the page). */
export function pipelineStatusRoutes(options: { ingestUrl: string; lakeDir: string }): Hono {
  const app = new Hono();
  app.get('/api/pipeline', async (c) => {
    const [ingest, totals, reasons] = await Promise.all([
      ingestStatus(options.ingestUrl),
      runQuery(options.lakeDir, 'select (select count(*) from events) as events, (select count(*) from bad_rows) as bad_rows'),
      runQuery(options.lakeDir, 'select error_type, count(*) as n from bad_rows group by all'),
    ]);
    const status: PipelineStatus = {
      generated_at: new Date().toISOString(),
      ingest,
      lake: {
        events: Number(totals[0]?.events ?? 0),
        bad_rows: Number(totals[0]?.bad_rows ?? 0),
        bad_rows_by_reason: Object.fromEntries(reasons.map((r) => [r.error_type as string, Number(r.n)])),
      },
    };
    return c.json(status);
  });
  return app;
}
