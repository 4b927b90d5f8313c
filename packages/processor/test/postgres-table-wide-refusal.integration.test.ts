import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink, parseUserAgent, PostgresTableRefusalError, toLakeRow, type PostgresSink } from '../src';
import { storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';

const postgres = postgresSuite();
const schema = postgres.schema('eventline_table_wide');
const sinks: PostgresSink[] = [];
afterAll(async () => {
  for (const sink of sinks) await sink.close();
});

async function sinkOn(table: string): Promise<PostgresSink> {
  const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table });
  sinks.push(sink);
  return sink;
}

const rows = (count: number, overrides: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: count }, (_, i) => toLakeRow(storedEvent({ event: `e${i}`, ...overrides(i) }), parseUserAgent(undefined)));

async function countIn(table: string): Promise<number> {
  const { rows: [row] } = await postgres.admin().query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}"`);
  return Number(row?.n);
}

/** The usual two-step migration that leaves a NOT NULL column without a default: no INSERT that leaves it out passes. */
async function addTenantWithoutDefault(table: string): Promise<void> {
  await postgres.admin().query(`ALTER TABLE "${schema}"."${table}" ADD COLUMN tenant text NOT NULL DEFAULT 'shop'`);
  await postgres.admin().query(`ALTER TABLE "${schema}"."${table}" ALTER COLUMN tenant DROP DEFAULT`);
}

describe('a NOT NULL column the sink does not write refuses every row: the flush fails (retried), no row becomes a bad row', () => {
  it('fails the flush naming the column, writes nothing; once the column has a default the retry writes every row', async () => {
    const sink = await sinkOn('tenant_added');
    await addTenantWithoutDefault('tenant_added');
    const flush = rows(200);
    const failed = await sink.writeRows(flush).then(
      (refused) => new Error(`the flush succeeded with ${refused?.length ?? 0} refused rows`),
      (error: unknown) => error as Error,
    );
    expect(failed).toBeInstanceOf(PostgresTableRefusalError);
    expect(failed.message).toBe(
      `PostgreSQL refuses every row of "${schema}"."tenant_added": its column "tenant" is NOT NULL without a default, and the processor does not write it ` +
        '(SQLSTATE 23502). Give "tenant" a DEFAULT, allow NULL, or drop it; the flush is retried until then, its shard waiting',
    );
    expect(failed.cause).toMatchObject({ code: '23502', column: 'tenant' });
    // The first statement's refusal was enough: no isolation (before, ~2 savepoints per row).
    expect(sink.stats().statements).toBe(0);
    expect(await countIn('tenant_added')).toBe(0);

    await postgres.admin().query(`ALTER TABLE "${schema}".tenant_added ALTER COLUMN tenant SET DEFAULT 'shop'`);
    expect(await sink.writeRows(flush)).toEqual([]);
    expect(await countIn('tenant_added')).toBe(200);
  });

  it('fails the flush too when a row refused for its own value made the sink isolate, and the others then hit the column', async () => {
    const sink = await sinkOn('tenant_isolating');
    // A BEFORE trigger refuses one row (check_violation) before PostgreSQL checks NOT NULL: the first try fails on that row.
    await postgres.admin().query(`
      CREATE FUNCTION "${schema}".refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event = 'bad' THEN RAISE EXCEPTION 'bad event' USING ERRCODE = 'check_violation'; END IF;
        RETURN NEW;
      END $$`);
    await postgres.admin().query(`CREATE TRIGGER refuse_bad BEFORE INSERT ON "${schema}".tenant_isolating FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_bad()`);
    await addTenantWithoutDefault('tenant_isolating');
    await expect(sink.writeRows(rows(8, (i) => (i === 0 ? { event: 'bad' } : {})))).rejects.toThrow(/its column "tenant" is NOT NULL without a default/);
    expect(await countIn('tenant_isolating')).toBe(0);
  });

  it('still isolates NOT NULL on a column the sink writes (the row decides): a flush of one such row, and one of three with two good', async () => {
    const sink = await sinkOn('user_required');
    await postgres.admin().query(`ALTER TABLE "${schema}".user_required ALTER COLUMN user_id SET NOT NULL`);
    const [alone] = rows(1);
    const refusedAlone = await sink.writeRows([alone!]);
    expect(refusedAlone?.map(({ row, reason }) => [row.event_id, reason])).toEqual([
      [alone!.event_id, 'PostgreSQL refused the row (SQLSTATE 23502): null value in column "user_id" of relation "user_required" violates not-null constraint'],
    ]);
    const mixed = rows(3, (i) => (i === 1 ? {} : { user_id: `u${i}` }));
    expect((await sink.writeRows(mixed))?.map(({ row }) => row.event_id)).toEqual([mixed[1]!.event_id]);
    expect(await countIn('user_required')).toBe(2);
  });
});
