import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REQUEST_REJECTION_CODES, type RequestRejectionCode } from '../errors';
import type { WriterStats } from '../kinesis/record-writer';
import { rejectedCodeOf } from './rejection';
import { EVENT_OUTCOMES } from '../routes/ingest-events';
import { EXTRA_DROP_REASONS } from '../routes/segment-extra';

export interface IngestMetrics {
  registry: Registry;
  events: Counter<'outcome'>;
  extrasDropped: Counter<'reason'>;
  /** Lambda entry: bodies under a Content-Encoding the front end had already inflated (`decoded`), or altered on the way and refused (`altered`). */
  lambdaBodies: Counter<'kind'>;
  /** Counts a request refused whole outside the app (the Node server's answers to what its HTTP parser refused). */
  countRejection: (code: RequestRejectionCode) => void;
  middleware: MiddlewareHandler;
}

/**
 * Prometheus metrics in a registry of the app's own (no globals: several apps can live in one
 * process), named `eventline_ingest_*` like the processor's `eventline_processor_*`, with the Node
 * process metrics. Labels: `route` (the app's route patterns), `status` (HTTP code), `outcome`, `code`
 * (REQUEST_REJECTION_CODES).
 */
export function createMetrics(writerStats?: () => WriterStats): IngestMetrics {
  const registry = Registry.merge([processMetrics()]); // a new registry, holding the shared process metrics
  const registers = [registry];
  const requests = new Counter({ name: 'eventline_ingest_http_requests_total', help: 'HTTP requests by route and status code', labelNames: ['route', 'status'], registers });
  const duration = new Histogram({
    name: 'eventline_ingest_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const events = new Counter<'outcome'>({ name: 'eventline_ingest_events_total', help: 'Events by outcome: accepted, rejected, retry', labelNames: ['outcome'], registers });
  // A closed set: every outcome's series exists from the first scrape, so rate() and alerts see 0, not nothing.
  for (const outcome of EVENT_OUTCOMES) events.labels({ outcome }).inc(0);
  const extrasDropped = new Counter<'reason'>({
    name: 'eventline_ingest_segment_extra_dropped_total',
    help: 'Segment events stored without their context.segment_extra (it alone would have had them refused), by reason',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of EXTRA_DROP_REASONS) extrasDropped.labels({ reason }).inc(0);
  const lambdaBodies = new Counter<'kind'>({
    name: 'eventline_ingest_lambda_encoded_bodies_total',
    help: 'Lambda entry: bodies with a Content-Encoding the front end had already inflated (decoded, taken as they are) or had altered as text (altered, answered 415)',
    labelNames: ['kind'],
    registers,
  });
  for (const kind of ['decoded', 'altered']) lambdaBodies.labels({ kind }).inc(0);
  const rejected = new Counter({
    name: 'eventline_ingest_requests_rejected_total',
    help: 'Requests refused whole, before any event was looked at, by error code (their events are in no other count)',
    labelNames: ['code'],
    registers,
  });
  const rejectedOf = new Map(REQUEST_REJECTION_CODES.map((code) => [code, rejected.labels({ code })] as const));
  for (const child of rejectedOf.values()) child.inc(0);
  if (writerStats) registerWriterGauges(registry, writerStats);
  // prom-client hashes the label object on every call: keep each label set's child (few routes and statuses).
  const durationOf = memo((route: string) => duration.labels({ route }));
  const requestsOf = memo((key: string) => {
    const [route = '', status = ''] = key.split(' ');
    return requests.labels({ route, status });
  });
  const middleware: MiddlewareHandler = async function metricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const route = routePath(c);
    durationOf(route).observe((performance.now() - started) / 1000);
    requestsOf(`${route} ${c.res.status}`).inc();
    const code = rejectedCodeOf(c);
    if (code) rejectedOf.get(code)?.inc();
  };
  return { registry, events, extrasDropped, lambdaBodies, countRejection: (code) => rejectedOf.get(code)?.inc(), middleware };
}

function memo<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(key)));
    return value;
  };
}

function registerWriterGauges(registry: Registry, stats: () => WriterStats): void {
  const gauge = (name: string, help: string, read: (s: WriterStats) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read(stats())); } });
  // The writer keeps its own running totals; each scrape copies them into the counter.
  const counter = (name: string, help: string, read: (s: WriterStats) => number) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read(stats())); } });
  gauge('eventline_ingest_writer_bytes_in_flight', 'Bytes queued or being written to Kinesis', (s) => s.bytesInFlight);
  gauge('eventline_ingest_writer_records_queued', 'Records waiting for a PutRecords call', (s) => s.recordsQueued);
  gauge('eventline_ingest_writer_circuit_open', '1 while the circuit breaker is open (its cool-down); 0 closed or half-open', (s) => (s.circuitOpen ? 1 : 0));
  counter('eventline_ingest_kinesis_put_calls_total', 'PutRecords calls made', (s) => s.calls);
  counter('eventline_ingest_kinesis_records_written_total', 'Records Kinesis accepted', (s) => s.recordsWritten);
  counter('eventline_ingest_kinesis_entry_failures_total', 'Entries Kinesis failed (each attempt)', (s) => s.entryFailures);
  counter('eventline_ingest_writer_refused_total', 'Records refused at once (circuit open or over the in-flight cap)', (s) => s.refused);
}

let shared: Registry | undefined;

/**
 * prom-client's default metrics (`process_*`, `nodejs_*`) describe the process, not an app: one set
 * of collectors per process, registered in each app's registry (the tests make many apps, each
 * would otherwise add an event-loop monitor and a GC observer). prom-client 15 reads them at scrape
 * time and starts no interval; its event-loop monitor's timer is unref'd, so neither a Node process
 * nor a Lambda instance is kept alive by it.
 */
function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
