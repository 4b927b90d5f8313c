import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig } from '@eventline/devstack';
import type { Ledger } from './ledger';

/**
 * A broken producer writing straight to the events stream, past the ingest: records that are not
 * JSON. The processor must turn each into a `parse` bad row carrying the original text.
 */
export async function putGarbage(endpoint: string, stream: string, count: number, ledger: Ledger): Promise<void> {
  if (count === 0) return;
  const client = new KinesisClient(emulatorKinesisClientConfig(endpoint));
  try {
    let records = Array.from({ length: count }, () => {
      const key = ledger.track('raw', { lake: false, errorType: 'parse' });
      return { Data: Buffer.from(`{"chaos_key":"${key}", this is not JSON`), PartitionKey: key };
    });
    // The emulator is never throttled here, but a PutRecords answer can still fail single entries.
    for (let attempt = 0; records.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`${records.length} garbage records could not be written`);
      const answer = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
      records = records.filter((_, i) => answer.Records?.[i]?.ErrorCode);
    }
  } finally {
    client.destroy();
  }
}
