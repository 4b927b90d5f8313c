import {
  DynamoDBClient,
  GetItemCommand,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { emulatorDynamoClientConfig, startDynamo, type DynamoEmulator } from '@eventline/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DedupeTableMissingError, openDynamoSeenIndex, UnprocessedItemsError } from '../src';
import { createSeenTable } from './fixtures/dynamo';

const ev = (key: string, sequenceNumber: string) => ({ key, sequenceNumber });
const noWait = { attempts: 4, delayMs: () => 0 };

describe('seen index (DynamoDB, against dynalite)', () => {
  let dynamo: DynamoEmulator;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dynamo = await startDynamo();
    client = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  const item = async (table: string, key: string) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { event_id: { S: key } }, ConsistentRead: true }))).Item;

  it('an id belongs to the record that claimed it first; a replay of that record is not a duplicate', async () => {
    const table = await createSeenTable(client);
    const index = openDynamoSeenIndex({ client, table, windowMs: 3_600_000, now: () => 1_700_000_000_000 });
    expect(await index.claim('shard-0', [ev('a', '1'), ev('b', '2')])).toEqual(new Set());
    expect(await item(table, 'a')).toEqual({ event_id: { S: 'a' }, shard: { S: 'shard-0' }, seq: { S: '1' }, expires_at: { N: '1700003600' } });
    // The same batch again (a Lambda retry): same answer.
    expect(await index.claim('shard-0', [ev('a', '1'), ev('b', '2')])).toEqual(new Set());
    // A resend: a later record on the same shard, or a record on another shard.
    expect(await index.claim('shard-0', [ev('a', '9'), ev('c', '10')])).toEqual(new Set(['a']));
    expect(await index.claim('shard-1', [ev('b', '2'), ev('c', '3')])).toEqual(new Set(['b', 'c']));
    // The owner did not change.
    expect((await item(table, 'a'))?.seq).toEqual({ S: '1' });
    expect(index.size()).toBeUndefined();
    await index.close();
  });

  it('claims more ids than one BatchGetItem (100) and one BatchWriteItem (25) take', async () => {
    const table = await createSeenTable(client);
    const index = openDynamoSeenIndex({ client, table });
    const ids = Array.from({ length: 260 }, (_, i) => `id-${i}`);
    expect(await index.claim('shard-0', ids.map((id, i) => ev(id, String(1000 + i))))).toEqual(new Set());
    expect(await index.claim('shard-0', ids.map((id, i) => ev(id, String(1000 + i))))).toEqual(new Set());
    const resent = await index.claim('shard-0', ids.map((id, i) => ev(id, String(5000 + i))));
    expect(resent).toEqual(new Set(ids));
  });

  it('a claim past its expires_at counts as absent (TTL deletes lazily): the next record takes the id', async () => {
    const table = await createSeenTable(client);
    let now = 1_700_000_000_000;
    const index = openDynamoSeenIndex({ client, table, windowMs: 60_000, now: () => now });
    await index.claim('shard-0', [ev('a', '1')]);
    now += 59_000;
    expect(await index.claim('shard-0', [ev('a', '2')])).toEqual(new Set(['a']));
    now += 1_000;
    expect(await index.claim('shard-0', [ev('a', '2')])).toEqual(new Set());
    expect((await item(table, 'a'))?.seq).toEqual({ S: '2' });
    expect(await index.claim('shard-0', [ev('a', '1')])).toEqual(new Set(['a']));
  });

  it('release forgets the claims these records hold and leaves claims other records hold', async () => {
    const table = await createSeenTable(client);
    const index = openDynamoSeenIndex({ client, table });
    await index.claim('shard-0', [ev('a', '1'), ev('b', '2')]);
    // A failed batch (records 3 and 4) whose event b was a resend: releasing it must not free b.
    await index.release?.('shard-0', [ev('b', '3'), ev('c', '4'), ev('a', '1')]);
    expect(await item(table, 'a')).toBeUndefined();
    expect((await item(table, 'b'))?.seq).toEqual({ S: '2' });
    expect(await item(table, 'c')).toBeUndefined();
    // With its claim gone, a later record of a is no longer a resend of a delivered event.
    expect(await index.claim('shard-0', [ev('a', '7')])).toEqual(new Set());
  });

  describe('conditional writes (Firehose: claims of one id may race)', () => {
    it('same answers as batch writes: own claims kept, another record\'s left out, expired ones taken', async () => {
      const table = await createSeenTable(client);
      let now = 1_700_000_000_000;
      const index = openDynamoSeenIndex({ client, table, windowMs: 60_000, now: () => now, conditionalWrites: true });
      expect(await index.claim('shard-0', [ev('a', '1'), ev('b', '2')])).toEqual(new Set());
      expect(await index.claim('shard-0', [ev('a', '1'), ev('b', '3')])).toEqual(new Set(['b']));
      now += 60_000;
      expect(await index.claim('shard-0', [ev('b', '3')])).toEqual(new Set());
      expect((await item(table, 'b'))?.seq).toEqual({ S: '3' });
    });

    // In practice both claims read before either writes: with batch writes both would win (seen when this was written).
    it('two records claiming one id at once: exactly one wins', async () => {
      const table = await createSeenTable(client);
      const index = openDynamoSeenIndex({ client, table, conditionalWrites: true });
      const ids = Array.from({ length: 30 }, (_, i) => `race-${i}`);
      const [x, y] = await Promise.all([
        index.claim('shard-0', ids.map((id) => ev(id, '1'))),
        index.claim('shard-1', ids.map((id) => ev(id, '2'))),
      ]);
      for (const id of ids) expect(Number(x.has(id)) + Number(y.has(id))).toBe(1);
      for (const id of ids) expect((await item(table, id))?.shard).toEqual({ S: x.has(id) ? 'shard-1' : 'shard-0' });
    });
  });

  it('a missing table is a DedupeTableMissingError naming the table', async () => {
    const index = openDynamoSeenIndex({ client, table: 'no-such-table' });
    const claim = index.claim('shard-0', [ev('a', '1')]);
    await expect(claim).rejects.toBeInstanceOf(DedupeTableMissingError);
    await expect(claim).rejects.toThrow(/"no-such-table"/);
  });

  describe('items DynamoDB leaves unprocessed', () => {
    /** A client whose BatchWriteItem calls send only the first `keep` requests and return the rest as unprocessed, as DynamoDB does under throttling. */
    function partialWrites(keep: number): DynamoDBClient {
      const partial = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
      partial.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'BatchWriteItemCommand') return next(args);
          const input = args.input as BatchWriteItemCommandInput;
          const [table, requests] = Object.entries(input.RequestItems ?? {})[0] ?? ['', []];
          const rest = requests.slice(keep);
          if (keep === 0) return { output: { $metadata: {}, UnprocessedItems: { [table]: rest } } as BatchWriteItemCommandOutput, response: {} };
          const out = await next({ ...args, input: { ...input, RequestItems: { [table]: requests.slice(0, keep) } } });
          (out.output as BatchWriteItemCommandOutput).UnprocessedItems = rest.length > 0 ? { [table]: rest } : {};
          return out;
        },
        { step: 'initialize', name: 'partialWrites' },
      );
      return partial;
    }

    it('are sent again until every claim is written', async () => {
      const table = await createSeenTable(client);
      const partial = partialWrites(10);
      try {
        const index = openDynamoSeenIndex({ client: partial, table, retry: noWait });
        const events = Array.from({ length: 25 }, (_, i) => ev(`u-${i}`, String(i)));
        expect(await index.claim('shard-0', events)).toEqual(new Set());
        for (const e of events) expect((await item(table, e.key))?.seq).toEqual({ S: e.sequenceNumber });
      } finally {
        partial.destroy();
      }
    });

    it('keys BatchGetItem leaves unprocessed are read again: a resend is still found', async () => {
      const table = await createSeenTable(client);
      await openDynamoSeenIndex({ client, table }).claim('shard-0', [ev('a', '1'), ev('b', '2')]);
      const partial = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
      let calls = 0;
      // The first BatchGetItem reads nothing and returns every key unprocessed, as DynamoDB may under throttling.
      partial.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'BatchGetItemCommand' || (calls += 1) > 1) return next(args);
          const input = args.input as BatchGetItemCommandInput;
          return { output: { $metadata: {}, Responses: {}, UnprocessedKeys: input.RequestItems } as BatchGetItemCommandOutput, response: {} };
        },
        { step: 'initialize', name: 'unprocessedKeys' },
      );
      try {
        const index = openDynamoSeenIndex({ client: partial, table, retry: noWait });
        expect(await index.claim('shard-0', [ev('a', '5'), ev('b', '2')])).toEqual(new Set(['a']));
        expect(calls).toBe(2);
      } finally {
        partial.destroy();
      }
    });

    it('still unprocessed after every retry: UnprocessedItemsError, never a silent skip', async () => {
      const table = await createSeenTable(client);
      const stuck = partialWrites(0);
      try {
        const index = openDynamoSeenIndex({ client: stuck, table, retry: noWait });
        const claim = index.claim('shard-0', [ev('a', '1'), ev('b', '2')]);
        await expect(claim).rejects.toBeInstanceOf(UnprocessedItemsError);
        await expect(claim).rejects.toThrow(/BatchWriteItem .* left 2 item\(s\) unprocessed/);
      } finally {
        stuck.destroy();
      }
    });
  });
});
