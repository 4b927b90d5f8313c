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
    // A domain's CHECK refuses one row's value (check_violation) as it is assigned, before PostgreSQL
    // checks NOT NULL: the first try fails on that row. (Not a BEFORE trigger: with one, a 23502 is the row's.)
    await postgres.admin().query(`CREATE DOMAIN "${schema}".not_bad AS text CHECK (VALUE <> 'bad')`);
    await postgres.admin().query(`ALTER TABLE "${schema}".tenant_isolating ALTER COLUMN event TYPE "${schema}".not_bad`);
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

describe('NOT NULL on a column the sink does not write but the row itself fills: the row decides, it is isolated', () => {
  const outcome = (write: Promise<void | readonly { row: { event_id: string } }[]>) =>
    write.then(
      (refused) => `ok, refused ${JSON.stringify(refused ? refused.map(({ row }) => row.event_id) : [])}`,
      (error: Error) => `${error.name}: ${error.message}`,
    );

  it('a STORED generated column from the row\'s properties: the one row without them is a bad row, the other 199 are written', async () => {
    const sink = await sinkOn('generated_tenant');
    await postgres.admin().query(
      `ALTER TABLE "${schema}".generated_tenant ADD COLUMN tenant text GENERATED ALWAYS AS (properties->>'tenant') STORED NOT NULL`,
    );
    const flush = rows(200, (i) => (i === 137 ? { properties: {} } : { properties: { tenant: 'shop' } }));
    expect(await outcome(sink.writeRows(flush))).toBe(`ok, refused ${JSON.stringify([flush[137]!.event_id])}`);
    expect(await countIn('generated_tenant')).toBe(199);
  });

  it('a column an enabled BEFORE INSERT row trigger fills from the row: the one row without user_id is a bad row', async () => {
    const sink = await sinkOn('trigger_owner');
    await postgres.admin().query(`ALTER TABLE "${schema}".trigger_owner ADD COLUMN owner text`);
    await postgres.admin().query(
      `CREATE FUNCTION "${schema}".fill_owner() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.owner := NEW.user_id; RETURN NEW; END $$`,
    );
    await postgres.admin().query(
      `CREATE TRIGGER fill_owner BEFORE INSERT ON "${schema}".trigger_owner FOR EACH ROW EXECUTE FUNCTION "${schema}".fill_owner()`,
    );
    await postgres.admin().query(`ALTER TABLE "${schema}".trigger_owner ALTER COLUMN owner SET NOT NULL`);
    const flush = rows(50, (i) => (i === 7 ? {} : { user_id: `u${i}` }));
    expect(await outcome(sink.writeRows(flush))).toBe(`ok, refused ${JSON.stringify([flush[7]!.event_id])}`);
    expect(await countIn('trigger_owner')).toBe(49);
  });

  it('a disabled BEFORE trigger, or an AFTER one, fills nothing: the flush still fails as table-wide', async () => {
    const sink = await sinkOn('trigger_disabled');
    await postgres.admin().query(
      `CREATE FUNCTION "${schema}".noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
    );
    await postgres.admin().query(
      `CREATE TRIGGER before_noop BEFORE INSERT ON "${schema}".trigger_disabled FOR EACH ROW EXECUTE FUNCTION "${schema}".noop()`,
    );
    await postgres.admin().query(`ALTER TABLE "${schema}".trigger_disabled DISABLE TRIGGER before_noop`);
    await postgres.admin().query(
      `CREATE TRIGGER after_noop AFTER INSERT ON "${schema}".trigger_disabled FOR EACH ROW EXECUTE FUNCTION "${schema}".noop()`,
    );
    await addTenantWithoutDefault('trigger_disabled');
    const failed = await sink.writeRows(rows(20)).then(() => undefined, (error: unknown) => error);
    expect(failed).toBeInstanceOf(PostgresTableRefusalError);
    expect(await countIn('trigger_disabled')).toBe(0);
  });
});
