import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresSink, parseUserAgent, toLakeRow, type LakeRow, type PostgresSink } from '../src';
import { storedEvent } from './fixtures/events';
import { postgresSuite } from './fixtures/postgres-suite';

// A deferred constraint is checked at COMMIT, not at each INSERT: before, the isolating transaction's
// savepoints all passed, its COMMIT failed as the first try had, and the flush was retried forever
// (the shard stalled, its good rows never written).
describe('PostgreSQL sink with a user’s deferred constraints', () => {
  const postgres = postgresSuite();
  const schema = postgres.schema('eventline_deferred');
  const sinks: PostgresSink[] = [];
  afterAll(async () => {
    for (const sink of sinks) await sink.close();
  });
  const open = async (table: string): Promise<PostgresSink> => {
    const sink = await createPostgresSink({ connectionString: postgres.url(), schema, table });
    sinks.push(sink);
    return sink;
  };
  const row = (event: string): LakeRow => toLakeRow(storedEvent({ event }), parseUserAgent(undefined));
  const eventsIn = async (table: string): Promise<string[]> => {
    const { rows } = await postgres.admin().query<{ event: string }>(`SELECT event FROM "${schema}"."${table}" ORDER BY event`);
    return rows.map((r) => r.event);
  };

  it('isolates a row refused by a DEFERRABLE INITIALLY DEFERRED constraint trigger (23514 at COMMIT), and writes the others', async () => {
    const sink = await open('triggered');
    await postgres.admin().query(`CREATE FUNCTION "${schema}".no_forbidden() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.event = 'forbidden' THEN RAISE EXCEPTION 'forbidden event' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$`);
    await postgres.admin().query(`CREATE CONSTRAINT TRIGGER no_forbidden AFTER INSERT ON "${schema}".triggered
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "${schema}".no_forbidden()`);
    const rows = [row('ok1'), row('forbidden'), row('ok2')];
    const refused = (await sink.writeRows(rows)) ?? [];
    expect(refused.map((r) => [r.row.event, r.reason])).toEqual([['forbidden', 'PostgreSQL refused the row (SQLSTATE 23514): forbidden event']]);
    expect(await eventsIn('triggered')).toEqual(['ok1', 'ok2']);
  });

  it('isolates a row refused by a DEFERRABLE INITIALLY DEFERRED unique constraint (23505 at COMMIT), and writes the others', async () => {
    const sink = await open('unique_event');
    await postgres.admin().query(`ALTER TABLE "${schema}".unique_event ADD CONSTRAINT unique_event_name UNIQUE (event) DEFERRABLE INITIALLY DEFERRED`);
    expect(await sink.writeRows([row('taken')])).toEqual([]);
    const rows = [row('ok1'), row('taken'), row('ok2')];
    const refused = (await sink.writeRows(rows)) ?? [];
    expect(refused.map((r) => [r.row.event_id, r.reason])).toEqual([[rows[1]!.event_id, expect.stringMatching(/^PostgreSQL refused the row \(SQLSTATE 23505\): duplicate key value violates unique constraint "unique_event_name"/)]]);
    expect(await eventsIn('unique_event')).toEqual(['ok1', 'ok2', 'taken']);
  });
});
