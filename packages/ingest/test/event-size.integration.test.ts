import type { ChildProcess } from 'node:child_process';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, readStream, recordJson, startKinesis, stopChild, type KinesisEmulator } from '@eventline/devstack';
import { validateStoredEvent } from '@eventline/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchResponse } from '../src';
import { SERVER_FIELDS_MAX_BYTES } from '../src/stored-size';
import { basic, event } from './helpers';
import { startIngest } from './ingest-process';

const LIMIT = 32 * 1024;
const KEY = 'wk_size';
/** The longest app id (128) and IP (45) there are, and a User-Agent whose stored JSON is exactly at its 1024-byte cap (`é`: 2 bytes). */
const APP_ID = 'a'.repeat(128);
const LONGEST_IP = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255';
const USER_AGENT = `${'u'.repeat(24)}${'é'.repeat(700)}`;
/** The longest RFC 3339 sent_at (9 fraction digits and an offset): every event below takes it from the batch. */
const BATCH_SENT_AT = '2026-11-27T10:00:00.123456789+00:00';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** `base` with a property padded so that its compact JSON is exactly `size` bytes. */
function sizedTo<T extends { properties?: Record<string, unknown> }>(base: T, size: number): T {
  const empty = { ...base, properties: { ...base.properties, pad: '' } };
  const sized = { ...base, properties: { ...base.properties, pad: 'x'.repeat(size - bytes(empty)) } };
  expect(bytes(sized)).toBe(size);
  return sized;
}

/**
 * The worst case for the server fields: a version 1 event (no schema_version, added) without its own
 * sent_at (the batch's, 35 characters, added) whose first_touch is no campaign (renamed legacy_first_touch).
 */
function worstCaseEvent(size: number) {
  const v1: Record<string, unknown> & { properties?: Record<string, unknown> } = { ...event({ anonymous_id: `size-${size}`, client_ts: '2026-11-27T09:59:59.000Z', context: { library: { name: 'test', version: '0' }, first_touch: 'google' } }) };
  delete v1.schema_version;
  return sizedTo(v1, size);
}

describe('INGEST_MAX_EVENT_BYTES applies to the event as sent; the server fields have their own room (Node entry, kinesalite)', () => {
  let kinesis: KinesisEmulator;
  let client: KinesisClient;
  let ingest: { child: ChildProcess; url: string };
  beforeAll(async () => {
    kinesis = await startKinesis({ engine: 'kinesalite' });
    await ensureStreams(kinesis.endpoint, [
      { name: 'sized', shards: 1 },
      { name: 'sized-bad', shards: 1 },
    ]);
    client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    ingest = await startIngest({
      KINESIS_ENDPOINT: kinesis.endpoint,
      INGEST_WRITE_KEYS: `${KEY}=${APP_ID}`,
      STREAM_NAME: 'sized',
      BAD_ROWS_STREAM_NAME: 'sized-bad',
      INGEST_IP: 'full',
      INGEST_TRUSTED_PROXIES: '1',
    });
  });
  afterAll(async () => {
    if (ingest) await stopChild(ingest.child, 5000);
    client?.destroy();
    await kinesis?.stop();
  });

  const send = async (path: string, body: unknown, forwardedFor = LONGEST_IP) => {
    const res = await fetch(`${ingest.url}${path}`, {
      method: 'POST',
      headers: { authorization: basic(KEY), 'content-type': 'application/json', 'user-agent': USER_AGENT, 'x-forwarded-for': forwardedFor },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as BatchResponse;
  };

  it('accepts an event of exactly the limit with the largest server fields, refuses one byte more with code and path', async () => {
    const atLimit = worstCaseEvent(LIMIT);
    const over = worstCaseEvent(LIMIT + 1);
    const answer = await send('/v1/batch', { sent_at: BATCH_SENT_AT, events: [atLimit, over] });
    expect(answer).toMatchObject({ accepted: 1, rejected: 1, retry: 0 });
    expect(answer.results[1]).toMatchObject({
      status: 'rejected',
      code: 'event_too_large',
      issues: [{ path: 'events[1]', code: 'too_big', message: `event is ${LIMIT + 1} bytes as sent (compact JSON), over the ${LIMIT}-byte limit` }],
    });

    const [record, ...others] = await readStream(client, 'sized');
    expect(others).toHaveLength(0);
    const stored = recordJson(record!);
    expect(validateStoredEvent(stored)).toMatchObject({ ok: true });
    expect(stored).toMatchObject({ event_id: atLimit.event_id, app_id: APP_ID, sent_at: BATCH_SENT_AT, schema_version: 2, properties: atLimit.properties });
    expect(stored.context).toMatchObject({ legacy_first_touch: 'google', server: { ip: LONGEST_IP, user_agent: `${'u'.repeat(24)}${'é'.repeat(500)}` } });
    // Every server field at its longest but the two ingest timestamps (24 characters of their 27 each):
    // the record is the event plus exactly what the bound allows for, so the bound is tight and holds.
    const recordBytes = record!.Data!.byteLength;
    expect(recordBytes - LIMIT).toBe(SERVER_FIELDS_MAX_BYTES - 2 * 3);
    // The record read back is the stored event's compact JSON, byte for byte (the size the ingest summed from its parts).
    expect(recordBytes).toBe(bytes(stored));

    const [badRow] = (await readStream(client, 'sized-bad')).map(recordJson);
    expect(badRow).toMatchObject({ error_type: 'event_too_large', app_id: APP_ID, request_id: answer.request_id, payload_truncated: false });
    expect(JSON.parse(badRow!.payload as string)).toMatchObject({ event_id: over.event_id, properties: over.properties });
  });

  it('accepts a Segment message of 32 KB (Segment\'s own per-message limit) with nothing dropped, refuses one byte more', async () => {
    const message = (size: number, messageId: string) =>
      sizedTo({ type: 'track', event: 'Big', anonymousId: `seg-${size}`, messageId, timestamp: '2026-11-27T09:59:59.000Z', integrations: { All: true }, properties: {}, context: { library: { name: 'analytics-node', version: '1.0.0' } } }, size);
    const atLimit = message(LIMIT, 'msg-at-limit');
    const answer = await send('/v1/batch', { batch: [atLimit, message(LIMIT + 1, 'msg-over')], sentAt: BATCH_SENT_AT }, 'fe80::1%' + 'z'.repeat(300));
    expect(answer).toMatchObject({ accepted: 1, rejected: 1, retry: 0 });
    expect(answer.results[1]).toMatchObject({ status: 'rejected', code: 'event_too_large', issues: [{ path: 'events[1]', code: 'too_big' }] });
    const stored = (await readStream(client, 'sized')).map(recordJson).find((r) => r.anonymous_id === `seg-${LIMIT}`)!;
    expect(stored.properties).toEqual(atLimit.properties);
    // Its segment_extra is kept whole, and the IP's zone id (as long as the client made it) is not stored.
    expect(stored.context).toMatchObject({ server: { ip: 'fe80::1' } });
    expect((stored.context as Record<string, unknown>).segment_extra).toEqual({ messageId: 'msg-at-limit', integrations: { All: true } });
  });
});
