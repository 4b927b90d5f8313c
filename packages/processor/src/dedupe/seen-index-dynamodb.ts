import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_UNPROCESSED_RETRY, eachChunk, getItems, PARALLEL_ITEM_CALLS, putItems, type Item, type UnprocessedRetry } from './dynamodb-batches';
import { plainOf, sameRecord } from './same-record';
import { DEFAULT_SEEN_WINDOW_MS, type SeenCandidate, type SeenIndex } from './seen-index';

export interface DynamoSeenIndexOptions {
  client: DynamoDBClient;
  /** Partition key `event_id` (S; its value is the dedupe key `<app_id>/<event_id>`), no sort key; TTL on `expires_at` (see the README). */
  table: string;
  /** A claim counts this long after it was made. Default 7 days, as for the LevelDB index. */
  windowMs?: number;
  now?: () => number;
  retry?: UnprocessedRetry;
  /**
   * Write each new claim with a conditional PutItem (one call per id) instead of BatchWriteItem, so
   * two callers claiming one id at once cannot both win. Needed where nothing orders the claims of
   * one id (the Firehose transformation); the ESM handler does not need it (see below).
   */
  conditionalWrites?: boolean;
}

/** The table does not exist (or is in another region / account than the client's). */
export class DedupeTableMissingError extends Error {
  constructor(
    readonly table: string,
    options: { cause: unknown },
  ) {
    super(`DynamoDB table "${table}" for the seen index was not found: create it (partition key event_id, type S) or fix the table name (DEDUPE_TABLE for the Lambda entries)`, options);
    this.name = 'DedupeTableMissingError';
  }
}

/** An owner of a dedupe key: the record that claimed it. */
interface Owner {
  shard: string;
  seq: string;
}

/**
 * The seen index in DynamoDB, for the Lambda entries (no lasting disk). One item per event:
 * `{ event_id, shard, seq, expires_at }`, the partition key `event_id` holding the dedupe key
 * `<app_id>/<event_id>` (SeenCandidate.key; the attribute keeps its name so tables made for
 * earlier releases serve as they are). A claim reads the owners (BatchGetItem, strongly
 * consistent), leaves out ids owned by another record, and writes the new ids (BatchWriteItem, or
 * one conditional PutItem each with `conditionalWrites`).
 *
 * For the ESM handler, read-then-write without a condition is safe because two invocations never
 * claim one event at once: the ingest's partition key is the event's `anonymous_id`, which a
 * resend carries unchanged, so every copy of an event lands on the same shard, and an event source
 * mapping hands one partition key's records to one invocation at a time, in order (also with
 * ParallelizationFactor > 1; after a reshard, a parent shard before its children: assumed, as the KCL does). Were that
 * broken, the worst case is a resend kept next to its original: a duplicate, never a loss.
 *
 * DynamoDB's TTL deletes expired items lazily (often days later), so an item past `expires_at` is
 * treated as absent and overwritten by the next claim. `size()` is unknown: counting would scan.
 * The client belongs to the caller; `close()` does not destroy it.
 */
export function openDynamoSeenIndex(options: DynamoSeenIndexOptions): SeenIndex {
  const { client, table } = options;
  const windowMs = options.windowMs ?? DEFAULT_SEEN_WINDOW_MS;
  const now = options.now ?? Date.now;
  const retry = options.retry ?? DEFAULT_UNPROCESSED_RETRY;

  async function claim(shardId: string, events: readonly SeenCandidate[]): Promise<Set<string>> {
    const duplicates = new Set<string>();
    const ids = [...new Set(events.map((e) => e.key))];
    if (ids.length === 0) return duplicates;
    const at = now();
    const items = await tableCalls(table, () => getItems(client, table, ids.map((id) => ({ event_id: { S: id } })), retry));
    const owners = new Map<string, Owner>();
    for (const item of items) {
      const expiresAt = Number(item.expires_at?.N ?? 0) * 1000;
      if (item.event_id?.S !== undefined && expiresAt > at) owners.set(item.event_id.S, { shard: item.shard?.S ?? '', seq: item.seq?.S ?? '' });
    }
    const claims: Item[] = [];
    const expiresAt = String(Math.floor((at + windowMs) / 1000));
    for (const event of events) {
      const owner = owners.get(event.key);
      if (owner === undefined) {
        owners.set(event.key, { shard: shardId, seq: event.sequenceNumber });
        claims.push({ event_id: { S: event.key }, shard: { S: shardId }, seq: { S: event.sequenceNumber }, expires_at: { N: expiresAt } });
      } else if (owner.shard !== shardId || !sameRecord(owner.seq, event.sequenceNumber)) {
        duplicates.add(event.key);
      }
    }
    if (options.conditionalWrites) {
      const lost = await tableCalls(table, () => putIfUnclaimed(client, table, claims, at));
      for (const id of lost) duplicates.add(id);
    } else {
      await tableCalls(table, () => putItems(client, table, claims, retry));
    }
    return duplicates;
  }

  async function release(shardId: string, events: readonly SeenCandidate[]): Promise<void> {
    await tableCalls(table, () => deleteOwnClaims(client, table, shardId, events));
  }

  return { claim, release, size: () => undefined, close: () => Promise.resolve() };
}

/**
 * Delete each id's claim if this record (shard, seq) holds it; a claim another record holds stays. A
 * sub-record's legacy claim (its plain sequence number, see sameRecord) is its own too, and released.
 */
async function deleteOwnClaims(client: DynamoDBClient, table: string, shardId: string, events: readonly SeenCandidate[]): Promise<void> {
  await eachItem(events, (event) =>
    conditionHeld(
      client.send(
        new DeleteItemCommand({
          TableName: table,
          Key: { event_id: { S: event.key } },
          ConditionExpression: '#shard = :shard AND (#seq = :seq OR #seq = :plain)',
          ExpressionAttributeNames: { '#shard': 'shard', '#seq': 'seq' },
          ExpressionAttributeValues: { ':shard': { S: shardId }, ':seq': { S: event.sequenceNumber }, ':plain': { S: plainOf(event.sequenceNumber) } },
        }),
      ),
    ),
  );
}

/** Put each claim unless another record holds a live claim on its id; returns the ids lost that way. */
async function putIfUnclaimed(client: DynamoDBClient, table: string, claims: readonly Item[], at: number): Promise<Set<string>> {
  const lost = new Set<string>();
  await eachItem(claims, async (claim) => {
    const held = await conditionHeld(
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: claim,
          ConditionExpression: 'attribute_not_exists(event_id) OR (#shard = :shard AND #seq = :seq) OR attribute_not_exists(#expires) OR #expires <= :now',
          ExpressionAttributeNames: { '#shard': 'shard', '#seq': 'seq', '#expires': 'expires_at' },
          // The claim's own shard and seq: a retry of this record finds its claim and passes.
          ExpressionAttributeValues: { ':shard': claim.shard ?? { S: '' }, ':seq': claim.seq ?? { S: '' }, ':now': { N: String(Math.floor(at / 1000)) } },
        }),
      ),
    );
    if (!held) lost.add(claim.event_id?.S ?? '');
  });
  return lost;
}

/** One single-item call per item, PARALLEL_ITEM_CALLS at a time. */
function eachItem<T>(items: readonly T[], call: (item: T) => Promise<unknown>): Promise<void> {
  return eachChunk(items, 1, async ([item]) => void (item === undefined ? undefined : await call(item)), PARALLEL_ITEM_CALLS);
}

/** A conditional write's outcome: false when its condition failed, any other error thrown. */
async function conditionHeld(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

async function tableCalls<T>(table: string, calls: () => Promise<T>): Promise<T> {
  try {
    return await calls();
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') throw new DedupeTableMissingError(table, { cause: error });
    throw error;
  }
}
