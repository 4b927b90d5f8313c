import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, startKinesis, startPostgres, uuidV7, waitFor, type KinesisEmulator, type PostgresServer } from '@eventline/devstack';
import { createApp, createKinesisWriter, DEFAULTS, parseWriteKeys, SERVER_FIELDS_MAX_BYTES, type BatchResponse, type IngestApp } from '@eventline/ingest';
import { createFolderSink, createPostgresSink, deliverRecords, openLake, startConsumer, type DeliveryResult, type PostgresSink } from '@eventline/processor';
import { LAKE_COLUMNS } from '@eventline/schemas';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEvent, type GeneratedEvent } from './differential/events';
import { jsonText } from './differential/json-text';
import { expectedRow, type Normalised } from './differential/oracle';
import { countFiltered, readLake, readPostgres, type ReadRow } from './differential/read-back';
import { tailStream, type StreamTail } from './differential/stream-tail';
import { dateTime } from './differential/times';

/**
 * A differential test of the whole data path: generated events, valid per the envelope and within
 * every limit but as awkward as it allows, go through the real ingest (createApp, the Kinesis writer,
 * kinesalite), are read back from the stream and delivered by the processor's real code to an
 * NDJSON.gz lake, a Parquet lake and PostgreSQL. Each must be accepted, land once in each sink,
 * with no bad row, and every column read back (DuckDB for the lakes, SQL for PostgreSQL) must equal
 * the others and what the event said (oracle.ts). DIFF_RUNS / DIFF_SEED replay or widen a run.
 */
const APP_ID = 'diff_app';
const WRITE_KEY = 'wk_differential';
const AUTHORIZATION = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const USER_AGENT = 'eventline-differential/1.0 (+loopback)';
/** Peer addresses and what the IP policy (anonymize: IPv4 /24, IPv6 /48, IPv4-mapped as IPv4) stores of each. */
const PEERS: readonly (readonly [string, string])[] = [
  ['203.0.113.77', '203.0.113.0'],
  ['2001:0DB8:abcd:0012:0000:0000:0000:0001', '2001:db8:abcd::'],
  ['::ffff:198.51.100.9', '198.51.100.0'],
  ['fe80::1%eth0', 'fe80:0:0::'],
];
/** The ingest's clock, moved a second per run: fixed so that a seed replays the same times. */
const BASE_NOW = Date.parse('2026-11-27T09:00:00.000Z');
const RUNS = Number(process.env.DIFF_RUNS ?? 100);
const SEED = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED);

const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

let kinesis: KinesisEmulator;
let client: KinesisClient;
let postgres: PostgresServer;
let admin: pg.Client;
let rowSink: PostgresSink;
let app: IngestApp;
let events: StreamTail;
let badRows: StreamTail;
const schema = `differential_${process.pid}_${randomBytes(3).toString('hex')}`;
let lakeRoot = '';
let runs = 0;
let clock = BASE_NOW;
let peer = PEERS[0] as readonly [string, string];
/** Every event the main property sent, and its row: the consumer pass reads the whole stream at the end. */
const allExpected = new Map<string, Record<string, Normalised>>();

beforeAll(async () => {
  kinesis = await startKinesis({ engine: 'kinesalite' });
  await ensureStreams(kinesis.endpoint, [
    { name: 'events', shards: 2 },
    { name: 'events-bad', shards: 1 },
  ]);
  client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
  app = createApp({
    writer: createKinesisWriter(client, { budgetMs: 30_000 }),
    options: {
      streamName: 'events',
      badRowsStreamName: 'events-bad',
      writeKeys: parseWriteKeys(`${WRITE_KEY}=${APP_ID}`),
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      maxEventBytes: DEFAULTS.maxEventBytes,
      ipMode: 'anonymize',
      metrics: false,
    },
    now: () => new Date(clock),
    clientIp: () => peer[0],
  });
  events = await tailStream(client, 'events');
  badRows = await tailStream(client, 'events-bad');
  postgres = await startPostgres();
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  rowSink = await createPostgresSink({ connectionString: postgres.url, schema });
  lakeRoot = tempDir('eventline-diff-lakes-');
}, 120_000);

afterAll(async () => {
  await rowSink?.close();
  if (admin) {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
  await postgres?.stop();
  client?.destroy();
  await kinesis?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Events well under INGEST_MAX_EVENT_BYTES as sent (the limit's own property pads them up to it). */
const fits = (g: GeneratedEvent): boolean => Buffer.byteLength(jsonText(g.event)) < DEFAULTS.maxEventBytes - 2048;
/** How the batch is posted: the routes that take our envelope, gzip or not, the body types clients send, the key in the header or the query. */
const delivery = fc.record({
  route: fc.constantFrom('/v1/batch', '/v1/b', '/v1/import'),
  gzip: fc.boolean(),
  contentType: fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8', undefined),
  keyInQuery: fc.boolean(),
});
type Delivery = typeof delivery extends fc.Arbitrary<infer T> ? T : never;

const batchArbitrary = fc.record({
  post: delivery,
  peer: fc.constantFrom(...PEERS),
  sentAt: dateTime(BASE_NOW),
  // Up to 10 (at most ~300 KB, within INGEST_MAX_BODY_BYTES): files of several rows, dictionary pages with repeats.
  events: fc.array(clientEvent(BASE_NOW).filter(fits), { minLength: 1, maxLength: 10 }),
});

type Sink = 'ndjson' | 'parquet' | 'postgres' | 'consumer';

/** Every difference between what a sink holds and what the event said, one line each. */
function differences(sink: Sink, expected: Map<string, Record<string, Normalised>>, rows: ReadRow[]): string[] {
  const out: string[] = [];
  const byId = new Map<string, ReadRow[]>();
  for (const row of rows) byId.set(String(row.event_id), [...(byId.get(String(row.event_id)) ?? []), row]);
  for (const [id, want] of expected) {
    const got = byId.get(id) ?? [];
    if (got.length !== 1) {
      out.push(`${sink} ${id}: ${got.length} rows, expected exactly 1`);
      continue;
    }
    const row = got[0] as ReadRow;
    for (const { name, type } of LAKE_COLUMNS) {
      const a = want[name] ?? null;
      const b = row[name] ?? null;
      const same = type === 'double' || type === 'int' || type === 'bigint' ? Object.is(a, b) : a === b;
      if (!same) out.push(`${sink} ${id} ${name}: expected ${show(a)}, got ${show(b)}`);
    }
  }
  return out;
}

const show = (v: Normalised): string => (typeof v === 'number' && Object.is(v, -0) ? '-0' : JSON.stringify(v));

/** Every run starts clean: records an earlier, failed run left unread are read away (a shrink runs again right after a failure), and the clock moves on. */
async function startRun(): Promise<void> {
  await events.next(0);
  await badRows.next(0);
  clock += 1000;
}

/** One batch through ingest → Kinesis → processor → NDJSON.gz, Parquet, PostgreSQL, and the checks. */
async function roundTrip(batch: { post: Delivery; peer: readonly [string, string]; sentAt: string; events: GeneratedEvent[] }): Promise<void> {
  await startRun();
  peer = batch.peer;
  // Each run its own lakes: a query reads this run's files only, so a run costs the same however many came before.
  runs += 1;
  const lakes = { ndjson: join(lakeRoot, String(runs), 'ndjson'), parquet: join(lakeRoot, String(runs), 'parquet') };
  const sent = batch.events.map(({ event, upperCaseId }) => ({ ...event, event_id: upperCaseId ? uuidV7().toUpperCase() : uuidV7() }));
  const body = jsonText({ sent_at: batch.sentAt, events: sent });
  const { route, gzip, contentType, keyInQuery } = batch.post;
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (gzip) headers['content-encoding'] = 'gzip';
  if (!keyInQuery) headers.authorization = AUTHORIZATION;
  const res = await app.request(keyInQuery ? `${route}?writeKey=${WRITE_KEY}` : route, {
    method: 'POST',
    body: gzip ? new Uint8Array(gzipSync(Buffer.from(body, 'utf8'))) : body,
    headers,
  });
  const answer = (await res.json()) as BatchResponse;
  const notAccepted = answer.results?.filter((r) => r.status !== 'accepted') ?? [];
  if (res.status !== 200 || answer.accepted !== sent.length || notAccepted.length > 0) {
    throw new Error(`ingest did not accept every event: status ${res.status}, ${JSON.stringify(notAccepted.length > 0 ? notAccepted : answer).slice(0, 4000)}`);
  }
  const facts = { appId: APP_ID, receivedAt: new Date(clock), batchSentAt: batch.sentAt, requestId: answer.request_id, ip: peer[1], userAgent: USER_AGENT };
  // What the ingest parsed: the same text through JSON.parse (a -0 stays -0 there).
  const parsed = (JSON.parse(body) as { events: Record<string, unknown>[] }).events;
  const expected = new Map(parsed.map((e) => [e.event_id as string, expectedRow(e, facts)]));
  for (const [id, row] of expected) allExpected.set(id, row);

  const shards = await events.next(sent.length);
  const read = [...shards.values()].reduce((n, records) => n + records.length, 0);
  const results: DeliveryResult[] = [];
  // One sink per lake for the run: a sink cleans its folders' stale temp files once, not once per shard.
  const sinks = { ndjson: createFolderSink(lakes.ndjson), parquet: createFolderSink(lakes.parquet) };
  for (const [shardId, records] of shards) {
    results.push(await deliverRecords(shardId, records, sinks.ndjson, { format: 'ndjson', rowSink }));
    results.push(await deliverRecords(shardId, records, sinks.parquet, { format: 'parquet' }));
  }
  const problems: string[] = [];
  if (read !== sent.length) problems.push(`the events stream holds ${read} records for ${sent.length} events`);
  const badTypes = results.flatMap((r) => [...r.badRowTypes].map(([type, n]) => `${type} × ${n}`));
  if (badTypes.length > 0) problems.push(`bad rows: ${badTypes.join(', ')}`);
  const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
  if (duplicates > 0) problems.push(`${duplicates} duplicates within one flush`);
  const rejections = await badRows.next(0);
  if (rejections.size > 0) problems.push(`the ingest wrote ${[...rejections.values()].flat().length} bad rows`);

  const ids = [...expected.keys()];
  for (const format of ['ndjson', 'parquet'] as const) {
    const lake = await openLake(lakes[format]);
    try {
      const rows = await readLake(lake, ids);
      problems.push(...differences(format, expected, rows));
      for (const row of rows) {
        const n = await countFiltered(lake, row);
        if (n !== 1) problems.push(`${format} ${String(row.event_id)}: a query filtered on its own statistics columns finds ${n} rows`);
      }
    } finally {
      lake.close();
    }
  }
  problems.push(...differences('postgres', expected, await readPostgres(admin, `"${schema}"."events"`, ids)));
  if (problems.length > 0) throw new Error(`${problems.slice(0, 30).join('\n')}\n\nbatch sent: ${body.slice(0, 6000)}`);
}

/** Characters of different UTF-8 and JSON-escaped sizes (1, 2, 3, 4 and 6 bytes), to pad an event towards the size limit. */
const PAD_UNITS = ['a', 'é', '€', '😀', '\u0001', '"'];
/** Both outcomes must occur, or the size property checked nothing. */
const sizeOutcomes = { accepted: 0, tooLarge: 0 };

/** `event` with `properties.pad` grown so that its JSON as sent is about `target` bytes. */
function padded(event: Record<string, unknown>, unit: string, target: number): Record<string, unknown> {
  const base = { ...event, properties: { ...((event.properties as Record<string, unknown> | undefined) ?? {}), pad: '' } };
  const unitBytes = Buffer.byteLength(JSON.stringify(unit)) - 2;
  const room = Math.max(0, target - Buffer.byteLength(jsonText(base)));
  return { ...base, properties: { ...base.properties, pad: unit.repeat(Math.floor(room / unitBytes)) } };
}

/**
 * Events padded to within a few hundred bytes of INGEST_MAX_EVENT_BYTES, which applies to the event as
 * sent (the UTF-8 size of its compact JSON, `JSON.stringify` of it as parsed): each must be accepted
 * exactly when that size is within the limit, an accepted one be at most that size plus the server
 * fields' bound in Kinesis, and one refused as `event_too_large` say its size as sent (its bad row's
 * payload is its stored form, larger) — a miscount would refuse a valid event or let a larger one through.
 */
async function sizeRoundTrip(batch: { events: { event: GeneratedEvent; unit: string; below: number }[] }): Promise<void> {
  await startRun();
  const limit = DEFAULTS.maxEventBytes;
  const sent = batch.events.map(({ event, unit, below }) => padded({ ...event.event, event_id: uuidV7() }, unit, limit - below));
  const body = jsonText({ sent_at: new Date(clock).toISOString(), events: sent });
  const res = await app.request('/v1/batch', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION, 'user-agent': USER_AGENT },
  });
  const answer = (await res.json()) as BatchResponse;
  const problems: string[] = [];
  // Parsed from the body as the ingest parses it (jsonText writes -0, which JSON.stringify writes as 0).
  const asSent = new Map(sent.map((e) => [e.event_id as string, Buffer.byteLength(JSON.stringify(JSON.parse(jsonText(e))))]));
  for (const result of answer.results) {
    const bytes = asSent.get(result.event_id ?? '') ?? NaN;
    if ((result.status === 'accepted') !== bytes <= limit) problems.push(`event ${String(result.event_id)} of ${bytes} bytes as sent answered ${result.status}`);
  }
  const accepted = answer.results.filter((r) => r.status === 'accepted').map((r) => r.event_id);
  const tooLarge = answer.results.filter((r) => r.status === 'rejected' && r.code === 'event_too_large').map((r) => r.event_id);
  sizeOutcomes.accepted += accepted.length;
  sizeOutcomes.tooLarge += tooLarge.length;
  if (accepted.length + tooLarge.length !== sent.length) problems.push(`answered otherwise: ${JSON.stringify(answer.results).slice(0, 2000)}`);
  const stored = [...(await events.next(accepted.length)).values()].flat();
  for (const record of stored) {
    const id = (JSON.parse(Buffer.from(record.data).toString('utf8')) as { event_id: string }).event_id;
    const most = (asSent.get(id) ?? NaN) + SERVER_FIELDS_MAX_BYTES;
    if (!(record.data.byteLength <= most)) problems.push(`accepted event ${id} is ${record.data.byteLength} bytes in Kinesis, over ${most} (as sent + the server fields' bound)`);
  }
  const rejected = [...(await badRows.next(tooLarge.length)).values()].flat();
  for (const record of rejected) {
    const row = JSON.parse(Buffer.from(record.data).toString('utf8')) as { payload: string; payload_truncated: boolean; issues: { message: string }[] };
    const bytes = Buffer.byteLength(row.payload);
    const id = (JSON.parse(row.payload) as { event_id: string }).event_id;
    const said = Number(/event is (\d+) bytes as sent/.exec(row.issues[0]?.message ?? '')?.[1]);
    if (row.payload_truncated || said !== asSent.get(id) || said <= limit || bytes <= said) problems.push(`refused as too large at ${said} bytes as sent (measured ${String(asSent.get(id))}), stored form ${bytes} bytes (truncated: ${String(row.payload_truncated)})`);
  }
  if (stored.length !== accepted.length || rejected.length !== tooLarge.length) problems.push(`stream holds ${stored.length} events and ${rejected.length} bad rows for ${accepted.length} accepted and ${tooLarge.length} refused`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

describe('the whole data path, differentially', () => {
  it('lands every event the ingest accepts once in NDJSON.gz, Parquet and PostgreSQL, each column as the event said', async () => {
    await fc.assert(
      fc.asyncProperty(batchArbitrary, (batch) => roundTrip(batch)),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 200_000 },
    );
    expect(rowSink.stats().skipped).toBe(0);
    // The same stream through the processor's consumer (flushes across runs, the seen index, checkpoints): the same rows.
    const dir = tempDir('eventline-diff-consumer-');
    const consumer = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: 'events',
      lakeDir: join(dir, 'lake'),
      checkpointFile: join(dir, 'checkpoints', 'events.json'),
      maxAgeMs: 200,
      pollIntervalMs: 50,
      delivery: { format: 'parquet' },
    });
    try {
      await waitFor('the consumer to deliver every event', () => consumer.stats().rowsDelivered + consumer.stats().badRows >= allExpected.size, 60_000, 100);
    } finally {
      await consumer.stop();
    }
    expect(consumer.stats()).toMatchObject({ rowsDelivered: allExpected.size, badRows: 0, duplicates: 0, alreadyDelivered: 0, errors: 0 });
    const lake = await openLake(join(dir, 'lake'));
    try {
      expect(differences('consumer', allExpected, await readLake(lake, [...allExpected.keys()]))).toEqual([]);
    } finally {
      lake.close();
    }
  }, 300_000);

  it('counts an event against INGEST_MAX_EVENT_BYTES by its size as sent, exactly', async () => {
    const near = fc.record({ event: clientEvent(BASE_NOW).filter(fits), unit: fc.constantFrom(...PAD_UNITS), below: fc.integer({ min: -40, max: 700 }) });
    await fc.assert(
      fc.asyncProperty(fc.record({ events: fc.array(near, { minLength: 1, maxLength: 4 }) }), (batch) => sizeRoundTrip(batch)),
      { numRuns: Math.ceil(RUNS / 3), seed: SEED, interruptAfterTimeLimit: 100_000 },
    );
    expect(sizeOutcomes.accepted).toBeGreaterThan(0);
    expect(sizeOutcomes.tooLarge).toBeGreaterThan(0);
  }, 200_000);
});
