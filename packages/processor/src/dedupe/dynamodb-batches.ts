import { setTimeout as delay } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { backoffMs } from '../sleep';

export type Item = Record<string, AttributeValue>;

/** How often to re-send what DynamoDB left unprocessed (throttling, a partition's limits), and how long to wait before each try. */
export interface UnprocessedRetry {
  attempts: number;
  delayMs: (attempt: number) => number;
}

export const DEFAULT_UNPROCESSED_RETRY: UnprocessedRetry = { attempts: 8, delayMs: (attempt) => backoffMs(attempt, 50, 5_000) };

/** DynamoDB's limits per call. */
const GET_CHUNK = 100;
const WRITE_CHUNK = 25;
/** Batch calls in flight at once, per claim. */
const PARALLEL_CHUNKS = 4;
/** Single-item calls (conditional puts and deletes) in flight at once: one per id, so more of them. */
export const PARALLEL_ITEM_CALLS = 16;

/** Still unprocessed after every retry: nothing may be assumed about those items, so the caller must fail. */
export class UnprocessedItemsError extends Error {
  constructor(
    readonly table: string,
    readonly action: 'BatchGetItem' | 'BatchWriteItem',
    readonly unprocessed: number,
  ) {
    super(`${action} on DynamoDB table "${table}" left ${unprocessed} item(s) unprocessed after every retry`);
    this.name = 'UnprocessedItemsError';
  }
}

/**
 * The items that exist among `keys` (no key twice), read strongly consistent: an eventually
 * consistent read could miss a claim written a moment ago by the previous batch.
 */
export async function getItems(client: DynamoDBClient, table: string, keys: readonly Item[], retry: UnprocessedRetry): Promise<Item[]> {
  const found: Item[] = [];
  await eachChunk(keys, GET_CHUNK, async (chunk) => {
    let pending: KeysAndAttributes | undefined = { Keys: chunk, ConsistentRead: true };
    for (let attempt = 1; pending?.Keys !== undefined && pending.Keys.length > 0; attempt += 1) {
      if (attempt > retry.attempts) throw new UnprocessedItemsError(table, 'BatchGetItem', pending.Keys.length);
      if (attempt > 1) await delay(retry.delayMs(attempt - 1));
      const out: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: pending } }));
      found.push(...(out.Responses?.[table] ?? []));
      pending = out.UnprocessedKeys?.[table];
    }
  });
  return found;
}

/** Put every item (no key twice); resolves only when all are written. */
export async function putItems(client: DynamoDBClient, table: string, items: readonly Item[], retry: UnprocessedRetry): Promise<void> {
  await eachChunk(items, WRITE_CHUNK, async (chunk) => {
    let pending: WriteRequest[] | undefined = chunk.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; pending !== undefined && pending.length > 0; attempt += 1) {
      if (attempt > retry.attempts) throw new UnprocessedItemsError(table, 'BatchWriteItem', pending.length);
      if (attempt > 1) await delay(retry.delayMs(attempt - 1));
      const out: BatchWriteItemCommandOutput = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = out.UnprocessedItems?.[table];
    }
  });
}

/** Run `work` on each chunk, a few at a time; after a failure no new chunk starts, and the first error is thrown once the running ones settle. */
export async function eachChunk<T>(items: readonly T[], size: number, work: (chunk: T[]) => Promise<void>, parallel = PARALLEL_CHUNKS): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (errors.length === 0 && next < chunks.length) {
      const chunk = chunks[next++] as T[];
      try {
        await work(chunk);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
