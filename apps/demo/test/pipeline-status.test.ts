import { describe, expect, it } from 'vitest';
import { accountFor } from '../src/accounting';
import { promByLabel, promMax, promSum } from '../src/prom-text';

// The ingest's /metrics as prom-client writes it (trimmed): every outcome present from the start.
const METRICS = `# HELP eventline_ingest_http_request_duration_seconds HTTP request duration by route
# TYPE eventline_ingest_http_request_duration_seconds histogram
eventline_ingest_http_request_duration_seconds_bucket{le="0.05",route="/v1/batch"} 4
eventline_ingest_http_request_duration_seconds_bucket{le="+Inf",route="/v1/batch"} 5
eventline_ingest_http_request_duration_seconds_sum{route="/v1/batch"} 0.21
eventline_ingest_http_request_duration_seconds_count{route="/v1/batch"} 5

# HELP eventline_ingest_events_total Events by outcome: accepted, rejected, retry
# TYPE eventline_ingest_events_total counter
eventline_ingest_events_total{outcome="accepted"} 12
eventline_ingest_events_total{outcome="rejected"} 3
eventline_ingest_events_total{outcome="retry"} 0

# HELP eventline_ingest_writer_circuit_open 1 while the circuit breaker refuses writes
# TYPE eventline_ingest_writer_circuit_open gauge
eventline_ingest_writer_circuit_open 0

# HELP eventline_ingest_kinesis_records_written_total Records Kinesis accepted
# TYPE eventline_ingest_kinesis_records_written_total counter
eventline_ingest_kinesis_records_written_total 15
`;

describe('promSum', () => {
  it('sums the samples of one metric that match a label, ignoring metrics sharing its prefix', () => {
    expect(promSum(METRICS, 'eventline_ingest_events_total', 'outcome="accepted"')).toBe(12);
    expect(promSum(METRICS, 'eventline_ingest_events_total', 'outcome="retry"')).toBe(0);
    expect(promSum(METRICS, 'eventline_ingest_events_total')).toBe(15);
    expect(promSum(METRICS, 'eventline_ingest_kinesis_records_written_total')).toBe(15);
    expect(promSum(METRICS, 'eventline_ingest_http_request_duration_seconds')).toBeNull(); // only _bucket, _sum, _count
    expect(promSum(METRICS, 'eventline_ingest_http_request_duration_seconds_count', 'route="/v1/batch"')).toBe(5);
  });
  it('says null for a metric with no sample', () => {
    expect(promSum(METRICS, 'eventline_ingest_events_total', 'outcome="dropped"')).toBeNull();
    expect(promSum('', 'eventline_ingest_writer_circuit_open')).toBeNull();
  });
});

describe('promMax', () => {
  const LAG = `eventline_processor_behind_latest_seconds{stream="events",shard="shardId-000000000000"} 0
eventline_processor_behind_latest_seconds{stream="events",shard="shardId-000000000001"} 4.2
eventline_processor_behind_latest_seconds{stream="events-bad",shard="shardId-000000000000"} 0.017
`;
  it('takes the largest sample, optionally of matching labels', () => {
    expect(promMax(LAG, 'eventline_processor_behind_latest_seconds')).toBe(4.2);
    expect(promMax(LAG, 'eventline_processor_behind_latest_seconds', 'stream="events-bad"')).toBe(0.017);
  });
  it('says null for a metric with no sample', () => {
    expect(promMax(LAG, 'eventline_processor_rows_delivered_total')).toBeNull();
  });
});

describe('promByLabel', () => {
  const REFUSED = `eventline_ingest_requests_rejected_total{code="invalid_write_key"} 2
eventline_ingest_requests_rejected_total{code="body_too_large"} 0
eventline_ingest_requests_rejected_total_other{code="x"} 9
eventline_processor_duplicates_total{stream="events",scope="flush"} 1
eventline_processor_duplicates_total{stream="events",scope="seen_index"} 3
`;
  it('gives the non-zero samples by the value of one label, only of that metric', () => {
    expect(promByLabel(REFUSED, 'eventline_ingest_requests_rejected_total', 'code')).toEqual({ invalid_write_key: 2 });
    expect(promByLabel(REFUSED, 'eventline_processor_duplicates_total', 'scope')).toEqual({ flush: 1, seen_index: 3 });
    expect(promByLabel('', 'eventline_ingest_requests_rejected_total', 'code')).toEqual({});
  });
});

describe('accountFor', () => {
  it('splits what is not delivered, a duplicate or a bad row into held by the processor and not read', () => {
    expect(accountFor({ written: 20, read: 19, delivered: 14, duplicates: 1, bad_rows: 3 })).toEqual({
      written: 20,
      delivered: 14,
      duplicates: 1,
      bad_rows: 3,
      held: 1,
      not_read: 1,
      in_flight: 2,
    });
  });
  it('keeps records never read (trimmed by the retention: nothing counts them) in not read, with nothing held', () => {
    expect(accountFor({ written: 4, read: 1, delivered: 1, duplicates: 0, bad_rows: 0 })).toMatchObject({ held: 0, not_read: 3, in_flight: 3 });
  });
  it("takes the processor's counts less the backlog's baseline, so a record this run lost is not covered by one an earlier run left", () => {
    const counts = { written: 4, read: 7, delivered: 6, duplicates: 1, bad_rows: 0 };
    expect(accountFor(counts)).toMatchObject({ not_read: -3 });
    expect(accountFor({ ...counts, baseline: { read: 6, delivered: 5, duplicates: 1, bad_rows: 0 } })).toEqual({
      written: 4,
      delivered: 1,
      duplicates: 0,
      bad_rows: 0,
      held: 0,
      not_read: 3,
      in_flight: 3,
    });
  });
  it('says nothing while a side has not reported (a partial sum would not add up)', () => {
    expect(accountFor({ written: 20, read: 20, delivered: null, duplicates: 0, bad_rows: 0 })).toBeNull();
    expect(accountFor({ written: null, read: 3, delivered: 3, duplicates: 0, bad_rows: 0 })).toBeNull();
    expect(accountFor({ written: 3, read: null, delivered: 3, duplicates: 0, bad_rows: 0 })).toBeNull();
  });
});
