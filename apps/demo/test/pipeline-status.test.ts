import { describe, expect, it } from 'vitest';
import { promMax, promSum } from '../src/pipeline-status';

const METRICS = `# HELP ingest_events_total Events by outcome
# TYPE ingest_events_total counter
ingest_events_total{status="accepted"} 12
ingest_events_total{status="rejected"} 3
ingest_events_total_created{status="accepted"} 1764079000
ingest_kinesis_records_written_total 15
`;

describe('promSum', () => {
  it('sums the samples of one metric that match a label, ignoring metrics sharing its prefix', () => {
    expect(promSum(METRICS, 'ingest_events_total', 'status="accepted"')).toBe(12);
    expect(promSum(METRICS, 'ingest_events_total')).toBe(15);
    expect(promSum(METRICS, 'ingest_kinesis_records_written_total')).toBe(15);
  });
  it('says null for a metric with no sample', () => {
    expect(promSum(METRICS, 'ingest_events_total', 'status="retry"')).toBeNull();
    expect(promSum('', 'ingest_writer_circuit_open')).toBeNull();
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
