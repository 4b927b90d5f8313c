import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, KINESIS_ENGINES, startKinesis, type KinesisEmulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePrefix, runQuery } from '../src';
import { consumeOnce } from './fixtures/consume-once';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const STREAM = 'events';
const dirs = tempDirs();
afterAll(() => dirs.cleanup());

// Before the fix, a record without a usable `event` threw while its page was prepared, and the
// reader re-read that page forever: nothing after it on the shard was ever delivered.
describe.each(KINESIS_ENGINES)('a record that cannot fill EVENT_PREFIX, against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: STREAM, shards: 1 }]);
    producer = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  });

  afterAll(async () => {
    producer?.destroy();
    await kinesis?.stop();
  });

  it('is a partition bad row and does not hold up the shard', async () => {
    const received_at = new Date().toISOString();
    const before = [storedEvent({ seq: 0, received_at }), storedEvent({ seq: 1, received_at })];
    const poison = [storedEvent({ type: 'page', event: undefined, seq: 2, received_at }), storedEvent({ event: 'Add to cart', seq: 3, received_at })];
    const after = [storedEvent({ seq: 4, received_at }), storedEvent({ event: 'af_login', seq: 5, received_at })];
    const put = await producer.send(
      new PutRecordsCommand({ StreamName: STREAM, Records: [...before, ...poison, ...after].map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: 'dev-1' })) }),
    );
    expect(put.FailedRecordCount ?? 0).toBe(0);

    const errors: string[] = [];
    const { lakeDir, stats } = await consumeOnce({
      endpoint: kinesis.endpoint,
      stream: STREAM,
      dir: await dirs.make(),
      count: 6,
      delivery: { eventPrefix: compilePrefix('by_event/!{partitionKeyFromQuery:event}/!{timestamp:yyyy-MM-dd}/') },
      logger: (level, msg) => void (level === 'error' && errors.push(msg)),
    });
    expect(stats).toMatchObject({ recordsRead: 6, rowsDelivered: 4, badRows: 2, errors: 0 });
    expect(errors).toEqual([]);
    const bad = await runQuery(lakeDir, 'SELECT error_type, reason, payload FROM bad_rows ORDER BY sequence_number');
    expect(bad.map((r) => r.error_type)).toEqual(['partition', 'partition']);
    expect(bad.map((r) => JSON.parse(r.payload as string) as { event_id: string }).map((e) => e.event_id)).toEqual(poison.map((e) => e.event_id));
    expect(bad[1]?.reason).toMatch(/"Add to cart"/);
    const lines = await runQuery(
      lakeDir,
      `SELECT event_id FROM read_json('${lakeDir}/by_event/*/*/*.ndjson.gz', columns = {event_id: 'VARCHAR', seq: 'INTEGER'}) ORDER BY seq`,
    );
    expect(lines.map((r) => r.event_id)).toEqual([...before, ...after].map((e) => e.event_id));
  });
});
