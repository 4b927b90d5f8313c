import { promMax, promSum } from './prom-text';
import { STREAMS } from './streams';

/** The processor's counts since it started, from its /metrics. */
export interface ProcessorStatus {
  up: boolean;
  records_read: number | null;
  /** Records read from both streams (the events and the ingest's bad rows): the accounting's `read`. */
  records_read_both_streams: number | null;
  rows_delivered: number | null;
  /** Records left out for a repeated event_id (events stream). */
  duplicates: number | null;
  /** Bad rows written, both streams (its own and the ingest's rejections). */
  bad_rows: number | null;
  /**
   * Records read and not yet flushed, both streams, as the processor counts them (a KPL aggregate's user
   * records each: read counts Kinesis records, delivered counts rows, so read less the rest is no measure).
   */
  buffered_records: number | null;
  max_behind_latest_seconds: number | null;
  errors: number | null;
  /**
   * Pending flushes (announced, then the processor stopped) whose records the stream's retention
   * trimmed before the restart re-read them: lost, and how many records is not known (the
   * processor counts ranges). They were written before this run, so they are not in the accounting.
   */
  pending_ranges_expired: number | null;
}

/** One scrape of the processor's /metrics; every count null while it does not answer. */
export async function processorStatus(metricsUrl: string): Promise<ProcessorStatus> {
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
      buffered_records: promSum(text, 'eventline_processor_buffered_records'),
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
      buffered_records: null,
      max_behind_latest_seconds: null,
      errors: null,
      pending_ranges_expired: null,
    };
  }
}

function minus(total: number | null, part: number | null): number | null {
  return total === null ? null : total - (part ?? 0);
}
