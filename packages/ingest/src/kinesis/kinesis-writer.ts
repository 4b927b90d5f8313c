import { DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createBatchingWriter, type PutCall, type WriterTuning } from './batching-writer';
import type { OutRecord, RecordWriter } from './record-writer';
import { sharedCheck } from './shared-check';

export type KinesisWriterOptions = Partial<WriterTuning>;

export const WRITER_DEFAULTS: WriterTuning = {
  lingerMs: 5,
  budgetMs: 2000,
  maxBytesInFlight: 64 * 1024 * 1024,
  breakerFailures: 5,
  breakerCooldownMs: 5000,
};

/** One PutRecords call; the per-entry `ErrorCode`s become the failed indexes. */
export function kinesisPutCall(client: KinesisClient): PutCall {
  return async function putRecords(stream, records, signal) {
    const out = await client.send(
      new PutRecordsCommand({ StreamName: stream, Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })) }),
      { abortSignal: signal },
    );
    const entries = out.Records ?? [];
    if (entries.length !== records.length) throw new KinesisResponseError(`PutRecords answered ${entries.length} entries for ${records.length} records`);
    return { failed: entries.flatMap((e, index) => (e.ErrorCode ? [{ index, code: e.ErrorCode }] : [])) };
  };
}

/** The production writer: micro-batched PutRecords with partial retry, backpressure and a breaker. */
export function createKinesisWriter(client: KinesisClient, options: KinesisWriterOptions = {}): RecordWriter {
  const tuning = { ...WRITER_DEFAULTS, ...options };
  return createBatchingWriter(kinesisPutCall(client), tuning, sharedCheck((stream) => describeStream(client, stream, tuning.budgetMs), READINESS_TTL_MS));
}

/** How long a readiness answer is reused (README, /readyz). */
export const READINESS_TTL_MS = 5000;

/** The stream answers. Its `LimitExceededException` (20 calls per second per account) says it is there: ready. */
async function describeStream(client: KinesisClient, stream: string, budgetMs: number): Promise<void> {
  try {
    // Bounded like a write: a readiness probe that hangs on a hung Kinesis would pile up one open
    // request per health check, and a stream that cannot answer within a write's budget is not ready.
    await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }), { abortSignal: AbortSignal.timeout(budgetMs) });
  } catch (error) {
    if (error instanceof Error && error.name === 'LimitExceededException') return;
    throw error;
  }
}

/** An in-process PutRecords sink: the full writer path without a network, for benchmarks and tests. */
export function createMemorySink(): PutCall & { records: Map<string, OutRecord[]> } {
  const records = new Map<string, OutRecord[]>();
  const sink = (stream: string, batch: OutRecord[]) => {
    const list = records.get(stream) ?? [];
    list.push(...batch);
    records.set(stream, list);
    return Promise.resolve({ failed: [] });
  };
  return Object.assign(sink, { records });
}

export class KinesisResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KinesisResponseError';
  }
}
