import { describe, expect, it } from 'vitest';
import { athenaDdl, BAD_ROW_ERROR_TYPES, DEFAULT_LAKE_FORMAT, FIREHOSE_ERROR_PREFIX, glueTables, isAppId, LAKE_COLUMNS, StoredEvent, type LakeFormat } from '../src';

const options = { location: 's3://lake-bucket/prod/', database: 'eventline', firstDate: '2026-11-01', format: 'parquet' } as const;

describe('lake columns', () => {
  it('cover every StoredEvent field', () => {
    const names = new Set(LAKE_COLUMNS.map((c) => c.name));
    expect(Object.keys(StoredEvent.properties).filter((field) => !names.has(field))).toEqual([]);
  });
});

describe('Athena DDL', () => {
  const [events = '', badRows = ''] = athenaDdl(options);

  it('declares every data column with its Hive type, partitions apart', () => {
    expect(events).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `eventline`.`events` \(/);
    expect(events).toContain("`seq` bigint COMMENT 'per-device sequence number'");
    expect(events).toContain('`received_at` timestamp');
    expect(events).toContain('`properties` string');
    expect(events).toContain('`revenue` double');
    expect(events).toContain("PARTITIONED BY (\n  `app_id` string COMMENT 'application',\n  `event_date` string");
    // app_id lives in the folder: declaring it twice is an Athena error.
    expect(events.split('\n').filter((line) => line.startsWith('  `app_id`'))).toHaveLength(1);
    expect(events).toContain('STORED AS PARQUET');
    expect(events).toContain("LOCATION 's3://lake-bucket/prod/events/'");
  });

  it('uses partition projection matching the Hive layout', () => {
    expect(events).toContain("'projection.enabled'='true'");
    expect(events).toContain("'projection.event_date.range'='2026-11-01,NOW'");
    expect(events).toContain("'projection.hour.digits'='2'");
    expect(events).toContain("'projection.app_id.type'='injected'");
    expect(events).toContain("'storage.location.template'='s3://lake-bucket/prod/events/app_id=${app_id}/event_date=${event_date}/hour=${hour}/'");
  });

  it('reads bad rows (and NDJSON events) with the JSON SerDe', () => {
    expect(badRows).toContain("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
    expect(badRows).toContain("bad_rows/error_type=${error_type}/event_date=${event_date}/");
    expect(athenaDdl({ ...options, format: 'ndjson' })[0]).toContain('org.openx.data.jsonserde.JsonSerDe');
    // No format named: NDJSON.gz, what the processor writes by default (it described Parquet).
    const { format: _named, ...unnamed } = options;
    expect(_named).toBe('parquet');
    expect(athenaDdl(unnamed)[0]).toContain('org.openx.data.jsonserde.JsonSerDe');
    expect(DEFAULT_LAKE_FORMAT).toBe('ndjson');
  });
});

describe('Glue table input', () => {
  it('mirrors the DDL: columns, partition keys, SerDe and projection', () => {
    const [events] = glueTables({ ...options, appIds: ['shop', 'blog'] });
    expect(events?.StorageDescriptor.Columns.map((c) => c.Name)).not.toContain('app_id');
    expect(events?.StorageDescriptor.Columns.find((c) => c.Name === 'client_ts')).toMatchObject({ Type: 'timestamp' });
    expect(events?.PartitionKeys.map((k) => `${k.Name}:${k.Type}`)).toEqual(['app_id:string', 'event_date:string', 'hour:int']);
    expect(events?.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(events?.Parameters).toMatchObject({ classification: 'parquet', 'projection.app_id.type': 'enum', 'projection.app_id.values': 'shop,blog' });
  });

  it('refuses an enum app id no event can have (its folder never exists: the table silently found nothing for it)', () => {
    for (const bad of [' blog', 'shop.eu', 'x'.repeat(129), 'café']) {
      expect(() => glueTables({ ...options, appIds: ['shop', bad] })).toThrow(new RangeError(`app id ${JSON.stringify(bad)} is not one an event can have (1–128 of A-Z a-z 0-9 _ -)`));
      expect(() => athenaDdl({ ...options, appIds: [bad] })).toThrow(RangeError);
    }
    expect(isAppId('shop_EU-2')).toBe(true);
  });
});

/** `'key'='value'` (or `'key'="value"`) pairs of one parenthesised DDL section, e.g. TBLPROPERTIES. */
function ddlProperties(ddl: string, section: 'TBLPROPERTIES' | 'WITH SERDEPROPERTIES'): Record<string, string> {
  const start = ddl.indexOf(`${section} (`);
  if (start < 0) return {};
  const body = ddl.slice(start, ddl.indexOf(')', start));
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/'([^']+)'=(?:'((?:[^'\\]|\\.)*)'|"([^"]*)")/g)) out[m[1]!] = m[2] !== undefined ? m[2].replace(/\\'/g, "'") : m[3]!;
  return out;
}

describe('Athena DDL and Glue table input', () => {
  it.each(['parquet', 'ndjson'] as LakeFormat[])('agree on table and SerDe properties for every table (%s events)', (format) => {
    const ddl = athenaDdl({ ...options, format });
    const glue = glueTables({ ...options, format });
    for (const [i, table] of glue.entries()) {
      const { EXTERNAL, ...parameters } = table.Parameters;
      expect(EXTERNAL).toBe('TRUE'); // implied by CREATE EXTERNAL TABLE
      expect(ddlProperties(ddl[i]!, 'TBLPROPERTIES')).toEqual(parameters);
      expect(ddlProperties(ddl[i]!, 'WITH SERDEPROPERTIES')).toEqual(table.StorageDescriptor.SerdeInfo.Parameters);
    }
  });

  it('read NDJSON timestamps with the processor\'s format and keys case-sensitively, and compress only Parquet tables with SNAPPY', () => {
    const [events, badRows] = glueTables({ ...options, format: 'ndjson' });
    expect(events?.StorageDescriptor.SerdeInfo.Parameters['timestamp.formats']).toBe("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    expect(badRows?.StorageDescriptor.SerdeInfo.Parameters['timestamp.formats']).toBe("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    // Keys matched as written: by default the SerDe folds the case of nested keys too, losing one of
    // `properties` {"Foo":1,"foo":2} in the text Athena reads (Trino's OpenX reader: case-insensitive FieldName keys).
    for (const table of [events, badRows]) expect(table?.StorageDescriptor.SerdeInfo.Parameters['case.insensitive']).toBe('false');
    expect(athenaDdl({ ...options, format: 'ndjson' })[0]).toContain("'case.insensitive'='false'");
    const [parquetEvents, parquetBadRows] = glueTables(options);
    expect(parquetEvents?.Parameters['parquet.compression']).toBe('SNAPPY');
    expect(parquetBadRows?.Parameters['parquet.compression']).toBeUndefined(); // bad rows are NDJSON.gz
  });

  it('project bad_rows.error_type as an enum of every known type, so GROUP BY error_type works on Athena', () => {
    expect(BAD_ROW_ERROR_TYPES).toEqual(['decode', 'parse', 'validation', 'partition', 'postgres', 'ingest_invalid_event', 'ingest_event_too_large', 'ingest_unreadable', 'ingest_other']);
    const badRows = glueTables(options)[1]!;
    expect(badRows.Parameters).toMatchObject({ 'projection.error_type.type': 'enum', 'projection.error_type.values': BAD_ROW_ERROR_TYPES.join(',') });
    expect(athenaDdl(options)[1]).toContain(`'projection.error_type.values'='${BAD_ROW_ERROR_TYPES.join(',')}'`);
  });

  it("comment bad_rows.error_type with every type, from the same list (DDL and Glue)", () => {
    const comment = `why the record failed: ${BAD_ROW_ERROR_TYPES.join(' | ')}`;
    expect(athenaDdl(options)[1]).toContain(`PARTITIONED BY (\n  \`error_type\` string COMMENT '${comment}'`);
    expect(glueTables(options)[1]!.PartitionKeys.find((k) => k.Name === 'error_type')?.Comment).toBe(comment);
    for (const type of ['postgres', 'ingest_unreadable', 'ingest_other']) expect(comment).toContain(type);
  });

  it("declare bad rows' issues_truncated (the ingest's flag, carried by the processor) in the DDL and Glue", () => {
    expect(athenaDdl(options)[1]).toMatch(/^ {2}`issues_truncated` boolean COMMENT /m);
    expect(glueTables(options)[1]!.StorageDescriptor.Columns.map((c) => c.Name)).toContain('issues_truncated');
  });
});

describe("Firehose's processing-failed records (firehose: true)", () => {
  const firehose = { ...options, firehose: true } as const;

  it('are a third table, in Firehose\'s own format, under FIREHOSE_ERROR_PREFIX with processing-failed', () => {
    expect(athenaDdl(options)).toHaveLength(2); // not asked for: the lake's two tables only
    const ddl = athenaDdl(firehose)[2]!;
    expect(ddl).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `eventline`.`firehose_processing_failed` \(/);
    // AWS's "Handle failure in data transformation": attemptsMade, arrivalTimestamp, errorCode,
    // errorMessage, attemptEndingTimestamp, rawData (base64), lambdaArn.
    for (const column of ['`attemptsmade` bigint', '`arrivaltimestamp` bigint', '`errorcode` string', '`errormessage` string', '`attemptendingtimestamp` bigint', '`rawdata` string', '`lambdaarn` string']) {
      expect(ddl).toContain(column);
    }
    expect(FIREHOSE_ERROR_PREFIX).toBe('firehose_errors/!{firehose:error-output-type}/event_date=!{timestamp:yyyy-MM-dd}/');
    expect(ddl).toContain("LOCATION 's3://lake-bucket/prod/firehose_errors/processing-failed/'");
    expect(ddl).toContain("'storage.location.template'='s3://lake-bucket/prod/firehose_errors/processing-failed/event_date=${event_date}/'");
    expect(ddl).toContain("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
  });

  it('match camelCase keys case-insensitively (a Hive column name is lower case), the lake tables still case-sensitively', () => {
    const [, badRows, failed] = glueTables(firehose);
    expect(failed?.StorageDescriptor.SerdeInfo.Parameters['case.insensitive']).toBe('true');
    expect(ddlProperties(athenaDdl(firehose)[2]!, 'WITH SERDEPROPERTIES')).toEqual(failed?.StorageDescriptor.SerdeInfo.Parameters);
    expect(ddlProperties(athenaDdl(firehose)[2]!, 'TBLPROPERTIES')).toEqual((({ EXTERNAL: _e, ...rest }) => rest)(failed!.Parameters));
    expect(badRows?.StorageDescriptor.SerdeInfo.Parameters['case.insensitive']).toBe('false');
    expect(failed?.PartitionKeys.map((k) => `${k.Name}:${k.Type}`)).toEqual(['event_date:string']);
  });
});
