import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { emulatorDynamoClientConfig, startDynamo, type DynamoEmulator } from '@eventline/devstack';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, openDynamoSeenIndex, type FirehoseTransformationEvent, type FirehoseTransformationRecord } from '../src';
import { createSeenTable } from './fixtures/dynamo';
import { storedEvent } from './fixtures/events';

describe('Firehose transformation with the DynamoDB seen index (dynalite)', () => {
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  let sample: FirehoseTransformationEvent;
  beforeAll(async () => {
    dynamo = await startDynamo();
    client = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
    sample = JSON.parse(await readFile(new URL('./fixtures/aws/firehose-transformation-event.json', import.meta.url), 'utf8')) as FirehoseTransformationEvent;
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  /** A record of the AWS sample's shape from a Kinesis source, carrying `event` at sequence number `seq`. */
  const firehoseRecord = (event: unknown, seq: string, shardId = 'shardId-000000000000'): FirehoseTransformationRecord => {
    const r = structuredClone(sample.records[0]!);
    r.recordId = `rec-${seq}`;
    r.data = Buffer.from(JSON.stringify(event)).toString('base64');
    r.kinesisRecordMetadata = { ...r.kinesisRecordMetadata!, shardId, sequenceNumber: seq };
    return r;
  };
  const invoke = (records: FirehoseTransformationRecord[]): FirehoseTransformationEvent => ({ ...sample, records });

  it('a resend from a later record is Dropped; a retried invocation gets Ok again; a Direct PUT record is left alone', async () => {
    const table = await createSeenTable(client);
    const logs: unknown[] = [];
    const handler = createFirehoseTransformHandler({
      seen: openDynamoSeenIndex({ client, table, conditionalWrites: true }),
      log: (_level, msg, fields) => void logs.push({ msg, ...fields }),
    });
    const x = storedEvent();
    const y = storedEvent();
    const first = invoke([firehoseRecord(x, '100')]);
    const later = invoke([firehoseRecord({ ...x, received_at: '2026-11-25T10:00:00.000Z' }, '205'), firehoseRecord(y, '206')]);
    const results = async (event: FirehoseTransformationEvent) => (await handler(event)).records.map((r) => [r.recordId, r.result]);

    expect(await results(first)).toEqual([['rec-100', 'Ok']]);
    expect(await results(later)).toEqual([
      ['rec-205', 'Dropped'],
      ['rec-206', 'Ok'],
    ]);
    expect(logs).toEqual([{ msg: 'left out events an earlier invocation delivered', count: 1, events: [`${x.app_id}/${x.event_id}`] }]);
    // Firehose retries the first invocation: its record still holds the claim.
    expect(await results(first)).toEqual([['rec-100', 'Ok']]);
    // Without kinesisRecordMetadata (Direct PUT) a record has no lasting identity to claim with.
    const direct = { ...firehoseRecord(x, '300'), recordId: 'direct' };
    delete direct.kinesisRecordMetadata;
    expect(await results(invoke([direct]))).toEqual([['direct', 'Ok']]);
  });

  // Firehose de-aggregates a KPL record before the Lambda: its sub-records share the Kinesis sequence number
  // and are told apart by subsequenceNumber. Identified by the sequence number alone, a resend in another
  // sub-record of the same aggregate, in a later invocation, was taken for a retry of the first and came back Ok.
  it('tells de-aggregated sub-records apart by subsequenceNumber: a resend in another sub-record is Dropped, a retry of the same one is Ok', async () => {
    const table = await createSeenTable(client);
    const handler = createFirehoseTransformHandler({ seen: openDynamoSeenIndex({ client, table, conditionalWrites: true }) });
    const x = storedEvent();
    const subRecord = (event: unknown, seq: string, sub: number | string): FirehoseTransformationRecord => {
      const r = firehoseRecord(event, seq);
      r.recordId = `rec-${seq}-${String(sub)}`;
      r.kinesisRecordMetadata = { ...r.kinesisRecordMetadata!, subsequenceNumber: sub };
      return r;
    };
    const results = async (event: FirehoseTransformationEvent) => (await handler(event)).records.map((r) => [r.recordId, r.result]);
    expect(await results(invoke([subRecord(x, '500', 0)]))).toEqual([['rec-500-0', 'Ok']]);
    expect(await results(invoke([subRecord(x, '500', 1)]))).toEqual([['rec-500-1', 'Dropped']]);
    expect(await results(invoke([subRecord(x, '500', '2')]))).toEqual([['rec-500-2', 'Dropped']]);
    // Firehose retries the first invocation: the same sub-record still holds the claim.
    expect(await results(invoke([subRecord(x, '500', 0)]))).toEqual([['rec-500-0', 'Ok']]);
  });

  // Releases before subsequence numbers counted claimed every sub-record with the plain sequence number. A
  // Firehose retry, after the upgrade, of an invocation such a release claimed and then failed must find
  // its own claim: answered Dropped, its event never reached the lake. A plain claim is taken for any
  // sub-record of that sequence number (a duplicate at worst, never a loss), and released by it.
  it('a legacy claim with the plain sequence number belongs to every sub-record of it: the retry after the upgrade is Ok', async () => {
    const table = await createSeenTable(client);
    const seen = openDynamoSeenIndex({ client, table, conditionalWrites: true });
    const handler = createFirehoseTransformHandler({ seen });
    const results = async (event: FirehoseTransformationEvent) => (await handler(event)).records.map((r) => [r.recordId, r.result]);
    const subRecord = (event: unknown, seq: string, sub: number): FirehoseTransformationRecord => ({
      ...firehoseRecord(event, seq),
      recordId: `rec-${seq}-${String(sub)}`,
      kinesisRecordMetadata: { ...firehoseRecord(event, seq).kinesisRecordMetadata!, subsequenceNumber: sub },
    });
    const legacyClaim = async (event: { app_id: string; event_id: string }, seq: string): Promise<void> => {
      await seen.claim('shardId-000000000000', [{ key: `${event.app_id}/${event.event_id}`, sequenceNumber: seq }]);
    };
    const x = storedEvent();
    await legacyClaim(x, '700');
    expect(await results(invoke([subRecord(x, '700', 3)]))).toEqual([['rec-700-3', 'Ok']]);
    const y = storedEvent();
    await legacyClaim(y, '600');
    expect(await results(invoke([subRecord(y, '600', 0)]))).toEqual([['rec-600-0', 'Ok']]);
    // Another record's resend is still left out, and a release by the sub-record frees the legacy claim.
    expect(await results(invoke([subRecord(y, '601', 0)]))).toEqual([['rec-601-0', 'Dropped']]);
    await seen.release!('shardId-000000000000', [{ key: `${y.app_id}/${y.event_id}`, sequenceNumber: '600:0' }]);
    expect(await results(invoke([subRecord(y, '601', 0)]))).toEqual([['rec-601-0', 'Ok']]);
  });

  it('dedupes on (app_id, event_id): another app\'s event with the same event_id is Ok, within an invocation and across them', async () => {
    const table = await createSeenTable(client);
    const handler = createFirehoseTransformHandler({ seen: openDynamoSeenIndex({ client, table, conditionalWrites: true }) });
    const shop = storedEvent({ app_id: 'shop' });
    const results = async (event: FirehoseTransformationEvent) => (await handler(event)).records.map((r) => [r.recordId, r.result]);
    expect(await results(invoke([firehoseRecord(shop, '400'), firehoseRecord({ ...shop, app_id: 'blog' }, '401')]))).toEqual([
      ['rec-400', 'Ok'],
      ['rec-401', 'Ok'],
    ]);
    expect(await results(invoke([firehoseRecord({ ...shop, app_id: 'news' }, '402'), firehoseRecord({ ...shop, received_at: '2026-11-25T10:00:00.000Z' }, '403')]))).toEqual([
      ['rec-402', 'Ok'],
      ['rec-403', 'Dropped'],
    ]);
  });

  it('a claim that fails for another reason than a rival claim fails the invocation and releases what it claimed', async () => {
    const table = await createSeenTable(client);
    const flaky = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
    let puts = 0;
    // The third conditional PutItem fails as DynamoDB does when throttled past the SDK's retries.
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand' && (puts += 1) === 3) throw Object.assign(new Error('Throughput exceeds the current capacity of your table'), { name: 'ThrottlingException' });
        return next(args);
      },
      { step: 'initialize', name: 'throttleThirdPut' },
    );
    try {
      const logs: string[] = [];
      const handler = createFirehoseTransformHandler({ seen: openDynamoSeenIndex({ client: flaky, table, conditionalWrites: true }), log: (_level, msg) => void logs.push(msg) });
      const events = Array.from({ length: 6 }, () => storedEvent());
      const records = events.map((e, i) => firehoseRecord(e, String(400 + i)));
      await expect(handler(invoke(records))).rejects.toThrow(/Throughput exceeds/);
      expect(logs).toEqual([]);
      const left = await Promise.all(
        events.map(async (e) => (await client.send(new GetItemCommand({ TableName: table, Key: { event_id: { S: `${e.app_id}/${e.event_id}` } }, ConsistentRead: true }))).Item),
      );
      expect(left.filter((item) => item !== undefined)).toEqual([]);
      // Firehose's retries run out; a resend of the first event from a later record is delivered, not Dropped.
      const resent = firehoseRecord({ ...events[0], received_at: '2026-11-25T10:00:00.000Z' }, '500');
      expect((await handler(invoke([resent]))).records.map((r) => r.result)).toEqual(['Ok']);
    } finally {
      flaky.destroy();
    }
  });
});
