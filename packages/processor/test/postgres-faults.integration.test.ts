import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createFolderSink, createPostgresSink, deliverRecords, type PostgresSink, type PostgresSinkOptions } from '../src';
import { readDeliveryEnv } from '../src/config-delivery';
import type { LogLevel } from '../src/log';
import { wireDelivery } from '../src/wiring';
import { record, storedEvent } from './fixtures/events';
import { postgresRelay } from './fixtures/postgres-relay';
import { postgresSuite } from './fixtures/postgres-suite';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();

describe('PostgreSQL sink when the database misbehaves', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_faults');
  const sinks: PostgresSink[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const sink of sinks) await sink.close().catch(() => undefined);
    for (const cleanup of cleanups) await cleanup();
    await dirs.cleanup();
  });
  const url = () => postgres.url();
  const admin = () => postgres.admin();

  const open = async (options: Partial<PostgresSinkOptions> = {}): Promise<PostgresSink> => {
    const sink = await createPostgresSink({ connectionString: url(), schema, table: 'events', ...options });
    sinks.push(sink);
    return sink;
  };
  const deliver = async (sink: PostgresSink, events: ReturnType<typeof storedEvent>[]) =>
    deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(await dirs.make()), { rowSink: sink });
  const countOf = async (events: ReturnType<typeof storedEvent>[]): Promise<number> =>
    Number((await admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".events WHERE event_id = ANY($1)`, [events.map((e) => e.event_id)])).rows[0]?.n);

  it('survives a connection the server ends while it idles in the pool, and writes through a new one', async () => {
    const idleErrors: Error[] = [];
    const applicationName = `eventline-faults-${randomBytes(4).toString('hex')}`; // this sink's connections only
    const sink = await open({ applicationName, onIdleError: (error) => idleErrors.push(error) });
    const first = [storedEvent()];
    await deliver(sink, first);
    // The pool's idle connections, ended by the server (as a restart or a failover would).
    const ended = await admin().query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    expect(ended.rowCount).toBeGreaterThan(0);
    await vi.waitFor(() => expect(idleErrors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01')); // admin_shutdown
    const second = [storedEvent()];
    await deliver(sink, second);
    expect(await countOf([...first, ...second])).toBe(2);
  });

  it('the entries log such a loss as a warning (wireDelivery, shared by the Node and Lambda entries)', async () => {
    const problems: string[] = [];
    const applicationName = `eventline-faults-${randomBytes(4).toString('hex')}`;
    const env = readDeliveryEnv({ DATABASE_URL: url(), PG_SCHEMA: schema, PG_APPLICATION_NAME: applicationName }, problems);
    expect(problems).toEqual([]);
    const logged: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
    const wired = await wireDelivery(env, await dirs.make(), 'us-east-1', (level, msg, fields) => logged.push({ level, msg, fields }));
    cleanups.push(() => wired.close());
    await admin().query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    await vi.waitFor(() =>
      expect(logged).toContainEqual({
        level: 'warn',
        msg: 'a PostgreSQL connection broke while idle; the pool opens a new one when needed',
        fields: expect.objectContaining({ error_code: '57P01' }) as unknown,
      }),
    );
  });

  it('creates the table again when it was dropped mid-run (or its schema), logs it, and writes the flush (every INSERT failed with 42P01 until a restart)', async () => {
    for (const [gone, drop] of [
      ['table', (s: string) => `DROP TABLE "${s}".events`],
      ['schema', (s: string) => `DROP SCHEMA "${s}" CASCADE`],
    ] as const) {
      const target = postgres.schema(`eventline_gone_${gone}`);
      const problems: string[] = [];
      const env = readDeliveryEnv({ DATABASE_URL: url(), PG_SCHEMA: target }, problems);
      expect(problems).toEqual([]);
      const logged: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
      const wired = await wireDelivery(env, await dirs.make(), 'us-east-1', (level, msg, fields) => logged.push({ level, msg, fields }));
      cleanups.push(() => wired.close());
      const lake = createFolderSink(await dirs.make());
      const before = [storedEvent({ anonymous_id: `${gone}-1` })];
      await deliverRecords('shardId-000000000000', before.map((e) => record(e)), lake, wired.delivery);
      await admin().query(drop(target));

      const after = [storedEvent({ anonymous_id: `${gone}-2` }), storedEvent({ anonymous_id: `${gone}-3` })];
      await deliverRecords('shardId-000000000000', after.map((e) => record(e)), lake, wired.delivery);
      const stored = await admin().query<{ anonymous_id: string }>(`SELECT anonymous_id FROM "${target}".events ORDER BY 1`);
      expect(stored.rows).toEqual([{ anonymous_id: `${gone}-2` }, { anonymous_id: `${gone}-3` }]);
      expect(logged).toContainEqual({
        level: 'warn',
        msg: 'the PostgreSQL table was gone (dropped while the processor ran); created it again and wrote the rows (rows stored before the drop are only in the lake now)',
        fields: { table: `"${target}"."events"`, error: expect.stringContaining('does not exist') as unknown },
      });
    }
  });

  it('parallel flushes (of one sink and of two) that find the schema dropped all create it again and write, none failing on the other\'s creation (23505 on the catalog)', async () => {
    const target = postgres.schema('eventline_gone_race');
    const created: string[] = [];
    const racers = [
      await open({ schema: target, maxConnections: 4, onTableCreatedAgain: ({ table }) => void created.push(table) }),
      await open({ schema: target, maxConnections: 4, onTableCreatedAgain: ({ table }) => void created.push(table) }),
    ];
    const lake = createFolderSink(await dirs.make());
    for (let round = 0; round < 8; round++) {
      await admin().query(`DROP SCHEMA "${target}" CASCADE`);
      const flushes = racers.flatMap((sink, s) =>
        [0, 1, 2, 3].map((shard) => {
          const events = [storedEvent({ anonymous_id: `race-${round}-${s}-${shard}` })];
          return { events, done: deliverRecords(`shardId-00000000000${shard}`, events.map((e) => record(e)), lake, { rowSink: sink }) };
        }),
      );
      const outcomes = await Promise.allSettled(flushes.map((f) => f.done));
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason)), `round ${round}`).toEqual([]);
      const stored = await admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${target}".events`);
      expect(Number(stored.rows[0]?.n), `round ${round}`).toBe(8);
    }
    expect(created.length).toBeGreaterThanOrEqual(8 * 2);
  });

  it('tells one re-creation once, however many flushes found the table gone and waited for it', async () => {
    const target = postgres.schema('eventline_gone_once');
    const relay = await postgresRelay(new URL(url()));
    cleanups.push(() => relay.close());
    const created: string[] = [];
    const sink = await createPostgresSink({ connectionString: relay.url, schema: target, table: 'events', maxConnections: 8, onTableCreatedAgain: ({ table }) => void created.push(table) });
    sinks.push(sink);
    await admin().query(`DROP SCHEMA "${target}" CASCADE`);
    // Another session's uncommitted CREATE SCHEMA holds the re-creation (its CREATE SCHEMA IF NOT EXISTS
    // waits on it) while every INSERT still finds the schema gone: all four flushes join the one re-creation.
    const blocker = new pg.Client({ connectionString: url() });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`CREATE SCHEMA "${target}"`);
    const lake = createFolderSink(await dirs.make());
    const flushes: Promise<unknown>[] = [];
    const events = [0, 1, 2, 3].map((shard) => storedEvent({ anonymous_id: `once-${shard}` }));
    for (const [shard, event] of events.entries()) {
      flushes.push(deliverRecords(`shardId-00000000000${shard}`, [record(event)], lake, { rowSink: sink }));
      // A failed INSERT's connection is closed: seen at the relay, after the flush went on to wait.
      await vi.waitFor(() => expect(relay.closed()).toBeGreaterThanOrEqual(shard + 1), { timeout: 10_000 });
    }
    await blocker.query('ROLLBACK');
    await blocker.end();
    await Promise.all(flushes);
    expect(Number((await admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${target}".events`)).rows[0]?.n)).toBe(4);
    expect(created).toEqual([`"${target}"."events"`]);
  });

  it('fails a flush blocked by another session’s lock with PostgreSQL’s own reason, then writes once the lock is gone', async () => {
    const sink = await open({ statementTimeoutMs: 300 });
    const locker = new pg.Client({ connectionString: url() });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${schema}".events IN ACCESS EXCLUSIVE MODE`); // a migration, say
    const events = [storedEvent(), storedEvent({ anonymous_id: 'dev-2' })];
    try {
      await expect(deliver(sink, events)).rejects.toThrow(/canceling statement due to statement timeout/);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await deliver(sink, events); // the shard's retry
    expect(await countOf(events)).toBe(2);
  });

  it('fails a flush whose connection is reset mid-transaction, instead of ending the process, and the retry writes', async () => {
    // pg's pool listens for 'error' only on idle clients: the reset of a checked-out one was an
    // unhandled 'error' event (Node ended the process, exit 1, before any log line).
    const relay = await postgresRelay(new URL(url()));
    cleanups.push(() => relay.close());
    const applicationName = `eventline-faults-${randomBytes(4).toString('hex')}`;
    const idleErrors: Error[] = [];
    const sink = await createPostgresSink({ connectionString: relay.url, schema, table: 'events', applicationName, onIdleError: (e) => void idleErrors.push(e) });
    sinks.push(sink);
    const locker = new pg.Client({ connectionString: url() });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${schema}".events IN ACCESS EXCLUSIVE MODE`);
    const events = [storedEvent(), storedEvent({ anonymous_id: 'dev-2' })];
    try {
      const flush = deliver(sink, events);
      const waiting = `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`;
      await vi.waitFor(async () => expect((await admin().query(waiting, [applicationName])).rowCount).toBe(1), { timeout: 10_000 });
      const closedBefore = relay.closed();
      relay.reset();
      await expect(flush).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(relay.closed()).toBe(closedBefore + 1);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await deliver(sink, events); // the shard's retry, through a new connection
    expect(await countOf(events)).toBe(2);
    expect(idleErrors).toEqual([]); // the reset failed the flush; it is not an idle connection's loss
  });

  it('fails a flush when the network goes silent mid-session instead of waiting for ever', async () => {
    const relay = await postgresRelay(new URL(url()));
    cleanups.push(() => relay.close());
    const sink = await createPostgresSink({ connectionString: relay.url, schema, table: 'events', statementTimeoutMs: 200, connectTimeoutMs: 500 });
    sinks.push(sink);
    await deliver(sink, [storedEvent()]);
    relay.silence();
    // The server never sees the statement, so only the client-side limit (statement timeout + 5 s) can end it.
    await expect(deliver(sink, [storedEvent()])).rejects.toThrow(/Query read timeout|timeout exceeded when trying to connect/);
  }, 20_000);

  it('fails to start, within the connect timeout, against a server that accepts but never answers', async () => {
    const held = new Set<Socket>();
    const hungUp: boolean[] = [];
    const startups: Buffer[] = [];
    const mute = createServer((socket) => {
      held.add(socket);
      socket.once('data', (first: Buffer) => startups.push(first));
      socket.resume().on('close', () => hungUp.push(true));
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const url = `postgres://postgres@127.0.0.1:${(mute.address() as AddressInfo).port}/test`;
    try {
      await expect(createPostgresSink({ connectionString: url, schema, connectTimeoutMs: 300 })).rejects.toThrow(/timeout/i);
      await vi.waitFor(() => expect(hungUp).toHaveLength(held.size)); // every attempt was hung up, none left open
      expect(held.size).toBeGreaterThan(0);
      // The startup message (length, protocol, then name/value pairs) carries only parameters that
      // poolers such as PgBouncer accept: the timeouts are SET LOCAL in each transaction instead.
      const names = startupParameterNames(startups[0]!);
      expect(names).toEqual(expect.arrayContaining(['user', 'database', 'application_name']));
      expect(names).not.toContain('statement_timeout');
      expect(names).not.toContain('idle_in_transaction_session_timeout');
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });
});

/** The parameter names of a PostgreSQL StartupMessage: Int32 length, Int32 protocol, then NUL-ended name/value pairs. */
function startupParameterNames(message: Buffer): string[] {
  const fields = message.subarray(8, message.readInt32BE(0)).toString('utf8').split('\0');
  return fields.filter((_field, i) => i % 2 === 0 && fields[i] !== '');
}
