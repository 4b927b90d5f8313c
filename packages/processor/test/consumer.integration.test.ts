import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ensureStreams, emulatorKinesisClientConfig, freePort, KINESIS_ENGINES, startKinesis, startPostgres, type KinesisEmulator, type PostgresServer, waitFor } from '@eventline/devstack';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import pg from 'pg';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderSink, createPostgresSink, runQuery, startConsumer, type Consumer, type ConsumerStats, type LakeRow, type Logger, type RowSink, type Sink } from '../src';
import { storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const STREAM = 'events';
const dirs = tempDirs();

/** Fault injection (the emulators never fail): the first `failures` GetRecords calls throw. */
class FlakyGetRecords extends NodeHttpHandler {
  constructor(private failures: number) {
    super({ httpAgent: new Agent({ keepAlive: true }) });
  }
  override handle(request: Parameters<NodeHttpHandler['handle']>[0], options?: Parameters<NodeHttpHandler['handle']>[1]): ReturnType<NodeHttpHandler['handle']> {
    if (request.headers['x-amz-target']?.endsWith('.GetRecords') && this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('injected GetRecords failure'));
    }
    return super.handle(request, options);
  }
}

/** A process that dies after its files are written but before the checkpoint is saved. */
function crashAfterWrite(inner: Sink): Sink & { writes: number } {
  const sink = {
    writes: 0,
    async write(key: string, bytes: Uint8Array): Promise<void> {
      await inner.write(key, bytes);
      sink.writes += 1;
      throw new Error('injected crash after write');
    },
  };
  return sink;
}

/** A sink whose first write fails, like a full disk that recovers. */
function flakySink(inner: Sink): Sink & { failed: number } {
  const sink = {
    failed: 0,
    write(key: string, bytes: Uint8Array): Promise<void> {
      if (sink.failed === 0) {
        sink.failed += 1;
        return Promise.reject(new Error('injected write failure'));
      }
      return inner.write(key, bytes);
    },
  };
  return sink;
}
afterAll(() => dirs.cleanup());

let postgres: PostgresServer | undefined;
const pgSchemas: string[] = [];
afterAll(async () => {
  if (postgres && pgSchemas.length > 0) {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    for (const schema of pgSchemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
  await postgres?.stop();
});

/** Counts how many writeRows calls run at once: the database sees at most one per shard. */
function concurrencyProbe(inner: RowSink): RowSink & { maxInFlight: number } {
  let inFlight = 0;
  const probe = {
    maxInFlight: 0,
    async writeRows(rows: readonly LakeRow[]): Promise<void> {
      inFlight += 1;
      probe.maxInFlight = Math.max(probe.maxInFlight, inFlight);
      try {
        await inner.writeRows(rows);
      } finally {
        inFlight -= 1;
      }
    },
    close: () => inner.close(),
  };
  return probe;
}


describe.each(KINESIS_ENGINES)('consumer against %s', (engine) => {
  let kinesis: KinesisEmulator;
  let producer: KinesisClient;
  let lakeDir: string;
  let checkpointFile: string;
  const logs: { level: string; msg: string }[] = [];
  const logger: Logger = (level, msg) => void logs.push({ level, msg });

  beforeAll(async () => {
    kinesis = await startKinesis({ engine });
    await ensureStreams(kinesis.endpoint, [{ name: STREAM, shards: 2 }]);
    producer = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    const dir = await dirs.make();
    lakeDir = join(dir, 'lake');
    checkpointFile = join(dir, 'checkpoints', `${STREAM}.json`);
  });

  afterAll(async () => {
    producer?.destroy();
    await kinesis?.stop();
  });

  const consumer = (maxAgeMs = 1000): Promise<Consumer> =>
    startConsumer({ kinesis: emulatorKinesisClientConfig(kinesis.endpoint), streamName: STREAM, lakeDir, checkpointFile, maxAgeMs, pollIntervalMs: 100, logger });

  /** Put `count` valid events spread over many partition keys (so both shards get some), plus raw extras. */
  async function put(count: number, extras: string[] = []): Promise<string[]> {
    const events = Array.from({ length: count }, (_, i) => storedEvent({ anonymous_id: `dev-${i % 13}`, seq: i, received_at: new Date().toISOString() }));
    const entries = [
      ...events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })),
      ...extras.map((text, i) => ({ Data: Buffer.from(text), PartitionKey: `bad-${i}` })),
    ];
    const out = await producer.send(new PutRecordsCommand({ StreamName: STREAM, Records: entries }));
    expect(out.FailedRecordCount ?? 0).toBe(0);
    expect(new Set(out.Records?.map((r) => r.ShardId)).size).toBe(2);
    return events.map((e) => e.event_id);
  }

  const ids = async (): Promise<string[]> =>
    (await runQuery(lakeDir, 'SELECT event_id FROM events ORDER BY event_id')).map((row) => row.event_id as string);

  it('delivers every event once, and bad rows next to them', async () => {
    const sent = await put(40, ['{not json']);
    const running = await consumer();
    let stats: ConsumerStats | undefined;
    try {
      await waitFor('41 records delivered', () => {
        const s = running.stats();
        return s.rowsDelivered + s.badRows >= 41;
      });
    } finally {
      await running.stop();
      stats = running.stats();
    }
    expect(stats).toMatchObject({ recordsRead: 41, rowsDelivered: 40, badRows: 1, duplicates: 0, errors: 0 });
    expect(await ids()).toEqual([...sent].sort());
    expect(await runQuery(lakeDir, 'SELECT error_type, payload FROM bad_rows')).toEqual([{ error_type: 'parse', payload: '{not json' }]);
    const saved = JSON.parse(await readFile(checkpointFile, 'utf8')) as { shards: Record<string, unknown> };
    expect(Object.keys(saved.shards).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
  });

  it('resumes from the checkpoint after a restart: only new records are read', async () => {
    const before = await ids();
    const sent = await put(25);
    const restarted = await consumer();
    let stats: ConsumerStats | undefined;
    try {
      await waitFor('25 more rows delivered', () => restarted.stats().rowsDelivered >= 25);
    } finally {
      await restarted.stop();
      stats = restarted.stats();
    }
    expect(stats).toMatchObject({ recordsRead: 25, rowsDelivered: 25, badRows: 0, errors: 0 });
    expect(await ids()).toEqual([...before, ...sent].sort());
    expect(await runQuery(lakeDir, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events')).toEqual([{ n: 65, d: 65 }]);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('flushes what it holds and checkpoints it on stop, before the buffer is due', async () => {
    const sent = await put(5);
    const running = await consumer(10 * 60_000);
    await waitFor('5 records read', () => running.stats().recordsRead >= 5);
    expect(running.stats().rowsDelivered).toBe(0);
    await running.stop();
    expect(running.stats()).toMatchObject({ recordsRead: 5, rowsDelivered: 5 });
    expect(await runQuery(lakeDir, `SELECT count(*) AS n FROM events WHERE event_id IN (${sent.map((id) => `'${id}'`).join(', ')})`)).toEqual([{ n: 5 }]);

    const idle = await consumer();
    await idle.stop();
    expect(idle.stats()).toMatchObject({ recordsRead: 0, rowsDelivered: 0 });
  });

  it('logs and retries GetRecords and write failures, and still delivers each event once', async () => {
    const before = await ids();
    const sent = await put(10);
    const sink = flakySink(createFolderSink(lakeDir));
    const errorLogs: string[] = [];
    const running = await startConsumer({
      kinesis: { ...emulatorKinesisClientConfig(kinesis.endpoint), requestHandler: new FlakyGetRecords(2) },
      streamName: STREAM,
      lakeDir,
      checkpointFile,
      maxAgeMs: 1000,
      pollIntervalMs: 100,
      sink,
      logger: (level, msg) => void (level === 'error' && errorLogs.push(msg)),
    });
    try {
      await waitFor('10 rows delivered despite failures', () => running.stats().rowsDelivered >= 10);
    } finally {
      await running.stop();
    }
    expect(sink.failed).toBe(1);
    expect(running.stats().errors).toBe(3);
    expect(errorLogs).toEqual(Array(3).fill('shard read or delivery failed; retrying'));
    expect(await ids()).toEqual([...before, ...sent].sort());
  });

  /**
   * Six records written to files by a consumer that crashes before its checkpoint, then six more
   * while it is "down" (a naive replay would flush old and new together under new names).
   */
  const crashBetweenWriteAndCheckpoint = async (): Promise<{ before: string[]; first: string[]; second: string[] }> => {
    const before = await ids();
    const first = await put(6);
    const sink = crashAfterWrite(createFolderSink(lakeDir));
    const crashing = await startConsumer({ kinesis: emulatorKinesisClientConfig(kinesis.endpoint), streamName: STREAM, lakeDir, checkpointFile, maxAgeMs: 500, pollIntervalMs: 100, sink, logger: () => undefined });
    await waitFor('files written by the crashing consumer', () => crashing.stats().recordsRead >= 6 && sink.writes >= 2);
    const second = await put(6);
    await expect(crashing.stop()).rejects.toThrow(/unflushed records/);
    return { before, first, second };
  };
  const recoverTwelveRows = async (): Promise<void> => {
    const recovered = await consumer();
    try {
      await waitFor('12 rows delivered after recovery', () => recovered.stats().rowsDelivered >= 12);
    } finally {
      await recovered.stop();
    }
  };

  it('after a crash between write and checkpoint, the replay rewrites the same files', async () => {
    const { before, first, second } = await crashBetweenWriteAndCheckpoint();
    expect(await ids()).toEqual([...before, ...first].sort());

    await recoverTwelveRows();
    expect(await ids()).toEqual([...before, ...first, ...second].sort());
  });

  it('a checkpoint file a crash cut (a file system without atomic rename) is read from its copy: the pending range replays into the same files', async () => {
    const { before, first, second } = await crashBetweenWriteAndCheckpoint();
    // The crash cut the checkpoint file's last write in half.
    const whole = await readFile(checkpointFile, 'utf8');
    expect(whole).toContain('"pending_through": "');
    await writeFile(checkpointFile, whole.slice(0, Math.floor(whole.length / 2)));

    await recoverTwelveRows();
    // Each event once: the announced range was replayed into the files of the same names.
    expect(await ids()).toEqual([...before, ...first, ...second].sort());
    expect(logs).toContainEqual({ level: 'warn', msg: 'checkpoint file damaged (a crash cut its last write); read from its copy' });
  });

  it('a checkpoint file a crash left absent mid-rename (unlinked, its temp file not yet renamed) is read from its copy: no replay of the whole stream', async () => {
    const { before, first, second } = await crashBetweenWriteAndCheckpoint();
    // A rename that unlinks the target first, cut before it renamed: the file is gone, its temp file left.
    await rename(checkpointFile, join(dirname(checkpointFile), `.${basename(checkpointFile)}.tmp-4242-0badc0de`));
    // The first restart reads the copy, then fails before its first save (Kinesis unreachable at
    // listShards: exit 1, the supervisor restarts it). Before, it had removed the temp file without
    // putting the main file back: the next start took the checkpoint as moved away and replayed everything.
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    await expect(
      startConsumer({ kinesis: { ...emulatorKinesisClientConfig(unreachable), maxAttempts: 1 }, streamName: STREAM, lakeDir, checkpointFile, maxAgeMs: 500, pollIntervalMs: 100, logger }),
    ).rejects.toThrow(/cannot list shards/);

    await recoverTwelveRows();
    // Each event once: read from the shard's start, every earlier record would be in the lake twice.
    expect(await ids()).toEqual([...before, ...first, ...second].sort());
    expect(logs).toContainEqual({ level: 'warn', msg: 'checkpoint file missing, a save of it cut mid-rename (its temp file is left); read from its copy' });
  });

  it('an event sent again later (an SDK resend) lands once: the earlier flush, any shard, any run, keeps it', async () => {
    const before = await ids();
    const events = Array.from({ length: 8 }, (_, i) => storedEvent({ anonymous_id: `resend-${i}`, seq: i, received_at: new Date().toISOString() }));
    const putEvents = async (list: typeof events, keyOf: (e: (typeof events)[number], i: number) => string): Promise<void> => {
      const out = await producer.send(new PutRecordsCommand({ StreamName: STREAM, Records: list.map((e, i) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: keyOf(e, i) })) }));
      expect(out.FailedRecordCount ?? 0).toBe(0);
    };
    await putEvents(events, (e) => e.anonymous_id);
    const first = await consumer();
    try {
      await waitFor('8 rows delivered', () => first.stats().rowsDelivered >= 8);
    } finally {
      await first.stop();
    }
    // The resend: same event_ids, a new received_at hours later (another hour folder), spread over other keys (so other shards too).
    const later = new Date(Date.now() + 5 * 3600_000).toISOString();
    const fresh = storedEvent({ anonymous_id: 'resend-fresh', received_at: later });
    await putEvents([...events.map((e) => ({ ...e, received_at: later })), fresh], (_e, i) => `other-key-${i}`);
    const infos: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
    const second = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: STREAM,
      lakeDir,
      checkpointFile,
      maxAgeMs: 1000,
      pollIntervalMs: 100,
      logger: (level, msg, fields) => void (level === 'info' && infos.push({ msg, fields })),
    });
    let stats: ConsumerStats | undefined;
    try {
      await waitFor('9 records handled', () => second.stats().recordsRead >= 9 && second.stats().rowsDelivered + second.stats().alreadyDelivered >= 9);
    } finally {
      await second.stop();
      stats = second.stats();
    }
    expect(stats).toMatchObject({ recordsRead: 9, rowsDelivered: 1, alreadyDelivered: 8, duplicates: 0, errors: 0 });
    expect(stats?.seenIds).toBeGreaterThanOrEqual(before.length + 9);
    expect(await ids()).toEqual([...before, ...events.map((e) => e.event_id), fresh.event_id].sort());
    const noted = infos.filter((l) => l.msg === 'left out events an earlier flush delivered').flatMap((l) => l.fields?.events as string[]);
    expect(noted.sort()).toEqual(events.map((e) => `${e.app_id}/${e.event_id}`).sort());
  });

  it('a burst on the stream reaches PostgreSQL in bounded, paced batches, each event once', async () => {
    postgres ??= await startPostgres();
    const schema = `eventline_burst_${randomBytes(4).toString('hex')}`;
    pgSchemas.push(schema);
    const pgSink = await createPostgresSink({ connectionString: postgres.url, schema, batchSize: 50, maxConnections: 2 });
    const rowSink = concurrencyProbe(pgSink);
    const sent = [...(await put(500)), ...(await put(500)), ...(await put(500))];
    const running = await startConsumer({
      kinesis: emulatorKinesisClientConfig(kinesis.endpoint),
      streamName: STREAM,
      lakeDir,
      checkpointFile,
      maxAgeMs: 1000,
      maxBytes: 64 * 1024,
      pollIntervalMs: 100,
      logger,
      delivery: { rowSink },
    });
    try {
      await waitFor('1500 rows delivered', () => running.stats().rowsDelivered >= 1500, 90_000);
    } finally {
      await running.stop();
      await pgSink.close();
    }
    const stats = pgSink.stats();
    expect(stats.rows).toBe(1500);
    expect(stats.maxRowsPerStatement).toBeLessThanOrEqual(50);
    expect(stats.statements).toBeGreaterThanOrEqual(30);
    expect(rowSink.maxInFlight).toBeLessThanOrEqual(2);
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: string; d: string }>(`SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM "${schema}".events`);
      expect(rows[0]).toEqual({ n: '1500', d: '1500' });
      const { rows: ids } = await admin.query<{ event_id: string }>(`SELECT event_id FROM "${schema}".events ORDER BY event_id`);
      expect(ids.map((r) => r.event_id)).toEqual([...sent].sort());
    } finally {
      await admin.end();
    }
  }, 120_000);
});
