import { athenaDdl, LAKE_COLUMNS } from '@eventline/schemas';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { snappyCompress } from '../src/delivery/snappy';
import { compilePrefix, createFolderSink, deliverRecords, encodeParquet, processRecords, runQuery, type LakeRow } from '../src';
import { PARQUET_COLUMNS, PARQUET_SCHEMA } from '../src/delivery/parquet';
import { record, storedEvent, uuidV7 } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const DUCK: Record<string, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  json: 'JSON',
};

describe('Parquet delivery', () => {
  it('turns records no store could hold into bad rows and delivers their neighbours (one such record stalled the shard)', async () => {
    const lake = await dirs.make();
    const good = storedEvent();
    const unstorable = [
      storedEvent({ context: { library: { name: 'x', version: '1' }, screen: { width: 3e9, height: 1 } } }), // past INT32
      storedEvent({ seq: 1e20 }), // past INT64
      storedEvent({ client_ts: '2026-02-31T00:00:00Z' }), // PostgreSQL refuses the day
      storedEvent({ properties: { note: 'a\u0000b' } }), // PostgreSQL refuses U+0000
      storedEvent({ properties: { note: 'a\ud800b' } }), // and a lone surrogate in jsonb
      // From a producer other than our ingest (which refuses past 32 levels): JSON.stringify overflows its stack.
      JSON.stringify(storedEvent({ properties: { deep: 0 } })).replace('"deep":0', `"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}`),
    ];
    await deliverRecords('shardId-000000000000', [good, ...unstorable].map((e) => record(e)), createFolderSink(lake), { format: 'parquet' });
    const bad = await runQuery(lake, 'SELECT error_type, reason FROM bad_rows ORDER BY sequence_number');
    expect(bad.map((b) => [b.error_type, b.reason])).toEqual([
      ['validation', 'context.screen.width: expected at most 2147483647'],
      ['validation', 'seq: expected at most 9007199254740991'],
      ['validation', 'client_ts: expected format date-time'],
      ['validation', 'properties.note: U+0000 (NUL) is not allowed: PostgreSQL cannot store it'],
      ['validation', 'properties.note: a lone UTF-16 surrogate is not allowed: it is not Unicode text (PostgreSQL refuses it)'],
      ['validation', "nests arrays/objects deeper than 1000 levels: the lake's files and PostgreSQL cannot hold it"],
    ]);
    expect((await runQuery(lake, 'SELECT event_id FROM events')).map((r) => r.event_id)).toEqual([good.event_id]);
  });

  it('writes typed columns from the catalog, read back by DuckDB with those types', async () => {
    const lake = await dirs.make();
    const events = [storedEvent({ seq: 7 }), storedEvent({ type: 'page', event: undefined, properties: undefined, anonymous_id: 'dev-2' })];
    const result = await deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(lake), { format: 'parquet' });
    expect(result.objectKeys).toEqual([expect.stringMatching(/^events\/app_id=shop\/event_date=2026-11-25\/hour=09\/shardId-000000000000-\d+-\d+\.parquet$/)]);

    const schema = await runQuery(lake, `SELECT name, type FROM parquet_schema('${lake}/events/**/*.parquet') WHERE name NOT IN ('schema', 'root') ORDER BY name`);
    expect(schema.map((r) => r.name)).toEqual(LAKE_COLUMNS.map((c) => c.name).sort());
    const parquetTypes: Record<string, unknown> = Object.fromEntries(schema.map((r): [string, unknown] => [r.name as string, r.type]));
    expect(parquetTypes).toMatchObject({ seq: 'INT64', received_at: 'INT64', revenue: 'DOUBLE', consent_ads: 'BOOLEAN', properties: 'BYTE_ARRAY' });

    // The Athena table declares exactly the file's columns (with Hive types), app_id living in the folder.
    const ddl = athenaDdl({ location: 's3://lake' })[0] ?? '';
    const body = ddl.slice(ddl.indexOf('(\n') + 2, ddl.indexOf('\n)\nPARTITIONED BY'));
    const declared = Object.fromEntries([...body.matchAll(/^ {2}`(\w+)` (\w+)/gm)].map((m): [string, string] => [m[1] ?? '', m[2] ?? '']));
    const hive: Record<string, string> = { INT64: 'bigint', DOUBLE: 'double', BOOLEAN: 'boolean', INT32: 'int', BYTE_ARRAY: 'string' };
    const fromFile = Object.fromEntries(
      schema.filter((r) => r.name !== 'app_id').map((r): [string, string] => [r.name as string, hive[r.type as string] ?? '?']),
    );
    for (const name of ['client_ts', 'sent_at', 'received_at']) fromFile[name] = 'timestamp'; // INT64 TIMESTAMP_MILLIS
    expect(declared).toEqual(fromFile);

    // Timestamps carry the logical type too, UTC-adjusted: with the converted type alone, DuckDB read
    // the files' times without a zone (then cast as the machine's local time).
    const times = await runQuery(lake, `SELECT name, logical_type FROM parquet_schema('${lake}/events/**/*.parquet') WHERE converted_type = 'TIMESTAMP_MILLIS' ORDER BY name`);
    expect(times).toEqual(['client_ts', 'received_at', 'sent_at'].map((name) => ({ name, logical_type: expect.stringMatching(/^TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=/) as string })));
    expect(await runQuery(lake, `SELECT DISTINCT typeof(received_at) AS t FROM read_parquet('${lake}/events/**/*.parquet')`)).toEqual([{ t: 'TIMESTAMP WITH TIME ZONE' }]);

    const described = await runQuery(lake, 'SELECT column_name, column_type FROM (DESCRIBE events)');
    const types: Record<string, unknown> = Object.fromEntries(described.map((r): [string, unknown] => [r.column_name as string, r.column_type]));
    for (const column of LAKE_COLUMNS) expect([column.name, types[column.name]]).toEqual([column.name, DUCK[column.type]]);

    const rows = await runQuery(lake, `SELECT event_id, seq, received_at, revenue, properties->>'af_currency' AS cur, hour FROM events ORDER BY seq DESC`);
    expect(rows).toEqual([
      { event_id: events[0]?.event_id, seq: 7, received_at: '2026-11-25T09:31:12.456Z', revenue: 12.5, cur: 'EUR', hour: 9 },
      { event_id: events[1]?.event_id, seq: 0, received_at: '2026-11-25T09:31:12.456Z', revenue: null, cur: null, hour: 9 },
    ]);
  });

  it('NDJSON.gz and Parquet files of one lake read as one events view', async () => {
    const lake = await dirs.make();
    const sink = createFolderSink(lake);
    const a = storedEvent();
    const b = storedEvent({ anonymous_id: 'dev-2' });
    await deliverRecords('shardId-000000000000', [record(a)], sink, { format: 'ndjson' });
    await deliverRecords('shardId-000000000001', [record(b)], sink, { format: 'parquet' });
    const rows = await runQuery(lake, 'SELECT event_id, typeof(received_at) AS t, (properties->>\'af_quantity\')::INT AS q FROM events ORDER BY event_id');
    expect(rows).toEqual(
      [a, b].map((e) => ({ event_id: e.event_id, t: 'TIMESTAMP WITH TIME ZONE', q: 2 })).sort((x, y) => x.event_id.localeCompare(y.event_id)),
    );
  });

  it('writes min/max statistics where they let readers skip files, and only there', async () => {
    const lake = await dirs.make();
    const events = [
      storedEvent({ event_id: uuidV7(Date.parse('2026-11-25T09:00:00Z')), received_at: '2026-11-25T09:10:00.000Z' }),
      storedEvent({ event_id: uuidV7(Date.parse('2026-11-25T09:30:00Z')), received_at: '2026-11-25T09:40:00.000Z', anonymous_id: 'dev-2' }),
    ];
    await deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(lake), { format: 'parquet' });
    const stats = await runQuery(
      lake,
      `SELECT path_in_schema AS name, stats_min_value AS min, stats_max_value AS max FROM parquet_metadata('${lake}/events/**/*.parquet')`,
    );
    const byName = Object.fromEntries(stats.map((r): [string, unknown] => [r.name as string, { min: r.min, max: r.max }]));
    const [first = '', last = ''] = events.map((e) => e.event_id).sort();
    // Byte-array bounds are cut to 16 bytes (the max rounded up): still bounds, and narrow.
    const id = byName.event_id as { min: string; max: string };
    expect([id.min <= first, last <= id.max]).toEqual([true, true]);
    expect([id.min.slice(0, 13), id.max.slice(0, 13)]).toEqual([first.slice(0, 13), last.slice(0, 13)]);
    const received = byName.received_at as { min: string; max: string };
    expect([received.min, received.max].map((at) => /\d\d:\d\d:\d\d/.exec(at)?.[0])).toEqual(['09:10:00', '09:40:00']);
    expect(byName.type).toEqual({ min: 'track', max: 'track' });
    // Spread over every file, so their min/max would prune nothing: not computed.
    for (const name of ['anonymous_id', 'locale', 'library_name', 'properties']) expect([name, byName[name]]).toEqual([name, { min: null, max: null }]);
  });

  it("writes the bytes hyparquet-writer writes from the rows' own values (strings, time text) with the same Snappy", () => {
    // The builder hands the writer UTF-8 bytes, epoch milliseconds and its own Snappy: the same file.
    const events = Array.from({ length: 3_000 }, (_, i) =>
      storedEvent({
        seq: i,
        anonymous_id: `dev-${i % 97}`,
        session_id: `s-${i}`,
        event: i % 8 === 0 ? undefined : ['af_purchase', 'af_content_view', 'kauf_abgeschlossen_ü'][i % 3],
        type: i % 8 === 0 ? 'page' : 'track',
        user_id: i % 5 === 0 ? `user-${i % 40}` : undefined,
        sent_at: i % 4 === 0 ? '2026-11-25T10:31:11+01:00' : undefined,
        traits: i % 6 === 0 ? { tier: i % 2 ? 'gold' : 'Ünïcode 東京', n: i } : undefined,
        properties: i % 7 === 0 ? undefined : { af_revenue: i % 50, af_currency: 'EUR', note: i % 3 === 0 ? 'Grüße 🎉' : 'x'.repeat(i % 90) },
        context: {
          library: { name: 'eventline-sdk', version: '0.1.0' },
          locale: i % 2 ? 'de-DE' : 'en-GB',
          page: { url: `https://shop.example/p/${i % 300}`, title: i % 3 === 0 ? `Prodüct ✓ ${i}` : 'Product', path: 'p'.repeat(i % 2_000) },
          user_agent: i % 9 === 0 ? undefined : `Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/${100 + (i % 4)}.0`,
          screen: i % 5 === 0 ? { width: 390, height: 844, density: 3 } : undefined,
          campaign: i % 10 === 0 ? { source: 'news', click_id: 'é'.repeat(i % 300) } : undefined,
          consent: i % 6 === 0 ? { analytics: true, ads: i % 12 === 0 } : undefined,
          // A context key without a column of its own: kept in the JSON column `context`.
          ...(i % 11 === 0 ? { extra: { nested: [1, { a: 'b' }], s: 'ß' } } : {}),
        },
      }),
    );
    const { rows } = processRecords(events.map((e) => record(e)));
    expect(rows).toHaveLength(events.length);
    const plain = (value: unknown, type: string): unknown =>
      value === undefined ? null : type === 'TIMESTAMP' ? Date.parse(value as string) : type === 'INT64' ? BigInt(value as number) : value;
    const reference = (part: readonly LakeRow[]): Buffer => {
      const columnData = PARQUET_COLUMNS.map(({ type, ...c }) => ({ ...c, data: part.map((row) => plain(row[c.name as keyof LakeRow], type)) }));
      return Buffer.from(parquetWriteBuffer({ columnData, schema: PARQUET_SCHEMA, rowGroupSize: 100_000, compressors: { SNAPPY: snappyCompress } }));
    };
    for (const part of [rows, rows.slice(0, 1), rows.slice(0, 20), rows.filter((_, i) => i % 8 === 0)]) {
      expect(Buffer.from(encodeParquet(part)).equals(reference(part))).toBe(true);
    }
  });

  it('keeps "__proto__" keys at every depth of the JSON columns, as NDJSON.gz does, in a JSON-typed column', async () => {
    // As the ingest stores them: JSON text (an object literal's __proto__ would set its prototype instead).
    const event = (id: string): string =>
      JSON.stringify(storedEvent({ event_id: id, properties: { PROPS: 1 }, traits: { TRAITS: 1 }, context: { library: { name: 'sdk', version: '1' }, CONTEXT: 1 } as never }))
        .replace('"PROPS":1', '"__proto__":{"x":1,"__proto__":{"deep":[{"__proto__":2}]}},"n":1')
        .replace('"TRAITS":1', '"__proto__":"t"')
        .replace('"CONTEXT":1', '"__proto__":null,"consent":{"analytics":true,"__proto__":{"q":1}}');
    const texts = [event(uuidV7()), event(uuidV7())];
    const ndjson = await dirs.make();
    const parquet = await dirs.make();
    await deliverRecords('shardId-000000000000', texts.map((t) => record(t)), createFolderSink(ndjson), { format: 'ndjson' });
    await deliverRecords('shardId-000000000000', texts.map((t) => record(t)), createFolderSink(parquet), { format: 'parquet' });

    const sql = `SELECT event_id, properties::VARCHAR AS p, traits::VARCHAR AS t, context::VARCHAR AS c,
      properties->'$.__proto__.__proto__.deep[0].__proto__' AS deep, context->'$.consent.__proto__.q' AS q FROM events ORDER BY event_id`;
    const fromParquet = await runQuery(parquet, sql);
    expect(fromParquet).toEqual(await runQuery(ndjson, sql));
    expect(fromParquet).toHaveLength(2);
    expect(fromParquet[0]).toMatchObject({ deep: '2', q: '1' });
    expect(JSON.parse(fromParquet[0]?.t as string)).toEqual(JSON.parse('{"__proto__":"t"}'));
    expect(Object.keys(JSON.parse(fromParquet[0]?.c as string) as object)).toContain('__proto__');

    // Still JSON-typed (converted type JSON: older readers rely on it), not plain text.
    const columns = await runQuery(parquet, `SELECT name, converted_type FROM parquet_schema('${parquet}/events/**/*.parquet') WHERE name IN ('properties', 'traits', 'context') ORDER BY name`);
    expect(columns).toEqual(['context', 'properties', 'traits'].map((name) => ({ name, converted_type: 'JSON' })));
  });

  it('stores -0 as 0 in number columns, as NDJSON.gz and PostgreSQL do (Parquet kept -0.0)', async () => {
    const event = storedEvent({ properties: { af_revenue: 1, af_currency: 'EUR' }, context: { library: { name: 'sdk', version: '1' }, screen: { width: 1, height: 2, density: 3 } } });
    // JSON text: JSON.stringify writes -0 as 0.
    const text = JSON.stringify(event).replace('"af_revenue":1', '"af_revenue":-0').replace('"density":3', '"density":-0').replace('"width":1', '"width":-0');
    const [row] = processRecords([record(text)]).rows;
    expect([row?.revenue, row?.screen_density, row?.screen_width].map((n) => Object.is(n, 0))).toEqual([true, true, true]);
    const sql = 'SELECT revenue::VARCHAR AS revenue, screen_density::VARCHAR AS density, screen_width AS width, 1 / screen_density AS inverse FROM events';
    const ndjson = await dirs.make();
    const parquet = await dirs.make();
    await deliverRecords('shardId-000000000000', [record(text)], createFolderSink(ndjson), { format: 'ndjson' });
    await deliverRecords('shardId-000000000000', [record(text)], createFolderSink(parquet), { format: 'parquet' });
    const fromParquet = await runQuery(parquet, sql);
    expect(fromParquet).toEqual([{ revenue: '0.0', density: '0.0', width: 0, inverse: Infinity }]);
    expect(fromParquet).toEqual(await runQuery(ndjson, sql));
  });

  it('follows a custom prefix expression', async () => {
    const lake = await dirs.make();
    const eventPrefix = compilePrefix('custom/!{partitionKeyFromQuery:event}/!{timestamp:yyyy}/');
    await deliverRecords('shardId-000000000000', [record(storedEvent())], createFolderSink(lake), { format: 'parquet', eventPrefix });
    expect(await readdir(`${lake}/custom/af_purchase/2026`)).toEqual([expect.stringMatching(/\.parquet$/)]);
  });
});
