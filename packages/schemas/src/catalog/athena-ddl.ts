import { dataColumns, hiveType, projection, tableLocation, TABLES, type CatalogOptions, type TableSpec } from './table-spec';

const JSON_SERDE = 'org.openx.data.jsonserde.JsonSerDe';

/** `CREATE EXTERNAL TABLE` statements (Athena dialect) for every lake table, with partition projection. */
export function athenaDdl(options: CatalogOptions): string[] {
  return TABLES.map((table) => tableDdl(options, table));
}

function tableDdl(options: CatalogOptions, table: TableSpec): string {
  const name = options.database ? `\`${options.database}\`.\`${table.name}\`` : `\`${table.name}\``;
  const column = (c: { name: string; type: string; comment: string }, type: string): string =>
    `  \`${c.name}\` ${type} COMMENT ${quote(c.comment)}`;
  const columns = dataColumns(table).map((c) => column(c, hiveType(c.type)));
  const partitions = table.partitions.map((p) => column(p, hiveType(p.type)));
  const props = Object.entries(projection(options, table)).map(([k, v]) => `  ${quote(k)}=${quote(v)}`);
  if ((options.format ?? 'parquet') === 'parquet') props.unshift(`  'parquet.compression'='SNAPPY'`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${name} (`,
    columns.join(',\n'),
    ')',
    `PARTITIONED BY (\n${partitions.join(',\n')}\n)`,
    storage(options, table),
    `LOCATION ${quote(tableLocation(options, table))}`,
    `TBLPROPERTIES (\n${props.join(',\n')}\n);`,
  ].join('\n');
}

/** Bad rows are always NDJSON.gz; events follow the chosen format. */
function storage(options: CatalogOptions, table: TableSpec): string {
  if (table.name === 'events' && (options.format ?? 'parquet') === 'parquet') return 'STORED AS PARQUET';
  return `ROW FORMAT SERDE ${quote(JSON_SERDE)}\nWITH SERDEPROPERTIES ('ignore.malformed.json'='false', 'timestamp.formats'="yyyy-MM-dd'T'HH:mm:ss.SSSXXX")\nSTORED AS TEXTFILE`;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "\\'")}'`;
}
