import { runQuery } from '@eventline/processor';
import { Hono } from 'hono';
import pg from 'pg';
import { accountFor, type Accounting } from './accounting';
import type { Backlog } from './backlog';
import { processorStatus, type ProcessorStatus } from './processor-status';
import { promByLabel, promSum } from './prom-text';

export interface PipelineStatus {
  generated_at: string;
  /** Since the ingest process started (its counters live in memory). */
  ingest: {
    up: boolean;
    accepted: number | null;
    /** Events rejected one by one (their bad rows written). */
    rejected: number | null;
    retry: number | null;
    /** Requests refused whole (bad key, too large, …): their events were never written; by code, the non-zero ones. */
    refused_requests: number | null;
    refused_by_code: Record<string, number>;
    records_written: number | null;
    circuit_open: boolean | null;
  };
  /** Everything the lake holds (it survives restarts). */
  lake: { events: number; bad_rows: number; bad_rows_by_reason: Record<string, number> };
  /** Since the processor started, from its /metrics; absent when the view has no processor URL. */
  processor?: ProcessorStatus;
  /**
   * written = delivered + duplicates + bad rows + held + not read, this run's records alone when the
   * backlog has a baseline; null without a processor or while a side is down.
   */
  accounting: Accounting | null;
  /** What earlier runs left unread and the processor read before the ingest started (absent when the view was not given it). */
  backlog?: Backlog;
  /** Rows in the processor's PostgreSQL table; absent when the demo runs without a database. */
  postgres?: { events: number | null; error?: string };
}

async function ingestStatus(ingestUrl: string): Promise<PipelineStatus['ingest']> {
  try {
    const res = await fetch(`${ingestUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const text = res.ok ? await res.text() : '';
    const open = promSum(text, 'eventline_ingest_writer_circuit_open');
    // The ingest has every outcome's series at 0 from its start: no sample means it did not answer.
    return {
      up: res.ok,
      accepted: promSum(text, 'eventline_ingest_events_total', 'outcome="accepted"'),
      rejected: promSum(text, 'eventline_ingest_events_total', 'outcome="rejected"'),
      retry: promSum(text, 'eventline_ingest_events_total', 'outcome="retry"'),
      refused_requests: promSum(text, 'eventline_ingest_requests_rejected_total'),
      refused_by_code: promByLabel(text, 'eventline_ingest_requests_rejected_total', 'code'),
      records_written: promSum(text, 'eventline_ingest_kinesis_records_written_total'),
      circuit_open: open === null ? null : open > 0,
    };
  } catch {
    // Down or restarting: the view shows it as down rather than failing as a whole.
    return { up: false, accepted: null, rejected: null, retry: null, refused_requests: null, refused_by_code: {}, records_written: null, circuit_open: null };
  }
}

/** GET /api/pipeline: counts at each stage, for the live pipeline view (polled by the page). */
export function pipelineStatusRoutes(options: {
  ingestUrl: string;
  lakeDir: string;
  processorMetricsUrl?: string;
  /** The pipeline's `backlog`: its baseline is subtracted from the processor's counts in the accounting. */
  backlog?: Backlog;
  database?: { url: string; table: string };
}): {
  app: Hono;
  close: () => Promise<void>;
} {
  const app = new Hono();
  const pool = options.database ? new pg.Pool({ connectionString: options.database.url, max: 1, connectionTimeoutMillis: 2_000, application_name: 'eventline-demo' }) : undefined;
  // A connection the server ends while idle (a restart) would otherwise be thrown and end the demo;
  // the next poll opens a new one, and its count query reports any lasting problem.
  pool?.on('error', () => undefined);
  const postgresCount = async (): Promise<PipelineStatus['postgres']> => {
    if (!pool || !options.database) return undefined;
    try {
      const { rows } = await pool.query<{ n: string }>(`select count(*) as n from ${options.database.table}`);
      return { events: Number(rows[0]?.n ?? 0) };
    } catch (error) {
      // The table appears when the processor starts; until then, say why there is no number.
      return { events: null, error: error instanceof Error ? error.message : String(error) };
    }
  };
  app.get('/api/pipeline', async (c) => {
    const [ingest, processor, totals, reasons, postgres] = await Promise.all([
      ingestStatus(options.ingestUrl),
      options.processorMetricsUrl ? processorStatus(options.processorMetricsUrl) : undefined,
      runQuery(options.lakeDir, 'select (select count(*) from events) as events, (select count(*) from bad_rows) as bad_rows'),
      runQuery(options.lakeDir, 'select error_type, count(*) as n from bad_rows group by all'),
      postgresCount(),
    ]);
    const status: PipelineStatus = {
      generated_at: new Date().toISOString(),
      ingest,
      ...(processor ? { processor } : {}),
      lake: {
        events: Number(totals[0]?.events ?? 0),
        bad_rows: Number(totals[0]?.bad_rows ?? 0),
        bad_rows_by_reason: Object.fromEntries(reasons.map((r) => [r.error_type as string, Number(r.n)])),
      },
      ...(postgres ? { postgres } : {}),
      accounting: processor
        ? accountFor({
            written: ingest.records_written,
            read: processor.records_read_both_streams,
            delivered: processor.rows_delivered,
            duplicates: processor.duplicates,
            bad_rows: processor.bad_rows,
            baseline: options.backlog?.baseline ?? null,
          })
        : null,
      ...(options.backlog ? { backlog: options.backlog } : {}),
    };
    return c.json(status);
  });
  return { app, close: async () => void (await pool?.end()) };
}
