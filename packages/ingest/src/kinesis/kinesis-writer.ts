import { DescribeStreamSummaryCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { packCalls } from './packer';
import type { OutRecord, RecordWriter, WriteOutcome } from './record-writer';

export interface KinesisWriterOptions {
  /** Give up retrying failed entries after this long; they are answered as `retry`. */
  budgetMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * PutRecords with partial-failure retry: only the entries Kinesis rejected are sent again,
 * with full-jitter exponential backoff, until the time budget runs out.
 */
export function createKinesisWriter(client: KinesisClient, options: KinesisWriterOptions = {}): RecordWriter {
  const budgetMs = options.budgetMs ?? 2_000;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 1_000;

  async function putOnce(stream: string, records: OutRecord[], indexes: number[]): Promise<{ failed: number[]; error?: string }> {
    const failed: number[] = [];
    let error: string | undefined;
    for (const call of packCalls(records, indexes)) {
      try {
        const out = await client.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: call.map((i) => ({ Data: records[i]!.data, PartitionKey: records[i]!.partitionKey })),
          }),
        );
        (out.Records ?? []).forEach((entry, j) => {
          if (entry.ErrorCode) {
            failed.push(call[j]!);
            error = `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`;
          }
        });
      } catch (e) {
        failed.push(...call);
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
    return { failed, error };
  }

  return {
    async put(stream, records): Promise<WriteOutcome> {
      const deadline = Date.now() + budgetMs;
      let pending = records.map((_, i) => i);
      let lastError: string | undefined;
      for (let attempt = 0; pending.length > 0; attempt++) {
        const result = await putOnce(stream, records, pending);
        pending = result.failed.sort((a, b) => a - b);
        lastError = result.error ?? lastError;
        if (pending.length === 0) break;
        const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
        if (Date.now() + delay >= deadline) break;
        await new Promise((r) => setTimeout(r, delay));
      }
      return pending.length > 0 ? { failed: pending, lastError } : { failed: [] };
    },
    async ping(stream) {
      await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    },
  };
}
