import { runQuery } from '@eventline/processor';
import { Hono } from 'hono';
import pg from 'pg';
import { accountFor, type Accounting } from './accounting';
import { STREAMS } from './pipeline';

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
  processor?: {
    up: boolean;
    records_read: number | null;
    /** Records read from both streams (the events and the ingest's bad rows): the accounting's `read`. */
    records_read_both_streams: number | null;
    rows_delivered: number | null;
    /** Records left out for a repeated event_id (events stream). */
    duplicates: number | null;
    /** Bad rows written, both streams (its own and the ingest's rejections). */
    bad_rows: number | null;
    max_behind_latest_seconds: number | null;
    errors: number | null;
    /**
     * Pending flushes (announced, then the processor stopped) whose records the stream's retention
     * trimmed before the restart re-read them: lost, and how many records is not known (the
     * processor counts ranges). They were written before this run, so they are not in the accounting.
     */
    pending_ranges_expired: number | null;
  };
  /** written = delivered + duplicates + bad rows + held + not read; null without a processor or while a side is down. */
  accounting: Accounting | null;
  /** Rows in the processor's PostgreSQL table; absent when the demo runs without a database. */
  postgres?: { events: number | null; error?: string };
}

/** Sum the samples of one Prometheus metric whose labels contain `match` (e.g. `outcome="accepted"`). */
export function promSum(text: string, name: string, match = ''): number | null {
  let total: number | null = null;
  for (const { value } of promSamples(text, name, match)) total = (total ?? 0) + value;
  return total;
}

/** The largest sample of one Prometheus metric (e.g. the lag of the shard furthest behind). */
export function promMax(text: string, name: string, match = ''): number | null {
  let max: number | null = null;
  for (const { value } of promSamples(text, name, match)) max = Math.max(max ?? value, value);
  return max;
}

/** The non-zero samples of one metric by the value of `label` (e.g. `code`), summed per value. */
export function promByLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(`[{,]${label}="([^"]*)"`);
  for (const { labels, value } of promSamples(text, name, '')) {
    const key = pattern.exec(labels)?.[1];
    if (key !== undefined && value !== 0) out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

/** The one reader of the text format: each sample of metric `name` whose labels contain `match`, with its `{…}` labels ('' without). */
function* promSamples(text: string, name: string, match: string): Generator<{ labels: string; value: number }> {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another metric sharing the prefix
    const space = rest.lastIndexOf(' ');
    const labels = rest.slice(0, space).trim();
    if (match !== '' && !labels.includes(match)) continue;
    const value = Number(rest.slice(space + 1));
    if (Number.isFinite(value)) yield { labels, value };
  }
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

async function processorStatus(metricsUrl: string): Promise<NonNullable<PipelineStatus['processor']>> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) });
    const text = res.ok ? await res.text() : '';
    // Read and delivered: the events stream only (the bad-rows stream's records are counted as bad
    // rows in the lake), and read of both streams for the accounting (the ingest writes to both).
    // Lag and errors: both streams, since either one stalls the pipeline.
    const events = `stream="${STREAMS.events}"`;
    return {
      up: res.ok,
      records_read: promSum(text, 'eventline_processor_records_read_total', events),
      records_read_both_streams: promSum(text, 'eventline_processor_records_read_total'),
      rows_delivered: promSum(text, 'eventline_processor_rows_delivered_total', events),
      duplicates: promSum(text, 'eventline_processor_duplicates_total', events),
      // Less `postgres`: an event PostgreSQL refused is in the lake too (delivered), so it is not counted twice.
      bad_rows: minus(promSum(text, 'eventline_processor_bad_rows_total'), promSum(text, 'eventline_processor_bad_rows_total', 'error_type="postgres"')),
      // No series before a shard's first read (or after it ended): unknown, not 0.
      max_behind_latest_seconds: promMax(text, 'eventline_processor_behind_latest_seconds'),
      errors: promSum(text, 'eventline_processor_errors_total'),
      pending_ranges_expired: promSum(text, 'eventline_processor_pending_ranges_expired_total'),
    };
  } catch {
    return {
      up: false,
      records_read: null,
      records_read_both_streams: null,
      rows_delivered: null,
      duplicates: null,
      bad_rows: null,
      max_behind_latest_seconds: null,
      errors: null,
      pending_ranges_expired: null,
    };
  }
}

function minus(total: number | null, part: number | null): number | null {
  return total === null ? null : total - (part ?? 0);
}

/** GET /api/pipeline: counts at each stage, for the live pipeline view (polled by the page). */
export function pipelineStatusRoutes(options: { ingestUrl: string; lakeDir: string; processorMetricsUrl?: string; database?: { url: string; table: string } }): {
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
          })
        : null,
    };
    return c.json(status);
  });
  return { app, close: async () => void (await pool?.end()) };
}
