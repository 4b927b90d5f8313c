import { STORAGE_FORMATS, tableFormat } from './storage-format';
import { catalogTables, dataColumns, hiveType, projection, serdeProperties, tableLocation, type CatalogOptions, type TableSpec } from './table-spec';

/** `CREATE EXTERNAL TABLE` statements (Athena dialect) for every lake table, with partition projection. */
export function athenaDdl(options: CatalogOptions): string[] {
  return catalogTables(options).map((table) => tableDdl(options, table));
}

function tableDdl(options: CatalogOptions, table: TableSpec): string {
  const name = options.database ? `\`${options.database}\`.\`${table.name}\`` : `\`${table.name}\``;
  const column = (c: { name: string; type: string; comment: string }, type: string): string =>
    `  \`${c.name}\` ${type} COMMENT ${quote(c.comment)}`;
  const columns = dataColumns(table).map((c) => column(c, hiveType(c.type)));
  const partitions = table.partitions.map((p) => column(p, hiveType(p.type)));
  const format = STORAGE_FORMATS[tableFormat(options, table)];
  const props = Object.entries({ classification: format.classification, ...format.tableProperties, ...projection(options, table) }).map(([k, v]) => `  ${property(k, v)}`);
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

function storage(options: CatalogOptions, table: TableSpec): string {
  if (tableFormat(options, table) === 'parquet') return 'STORED AS PARQUET';
  const format = STORAGE_FORMATS.ndjson;
  const serdeProps = Object.entries(serdeProperties(format, table)).map(([k, v]) => property(k, v));
  return `ROW FORMAT SERDE ${quote(format.serde)}\nWITH SERDEPROPERTIES (${serdeProps.join(', ')})\nSTORED AS TEXTFILE`;
}

/** `'key'='value'`; a value holding single quotes (a date pattern's 'T') is written in double quotes. */
function property(key: string, value: string): string {
  return `${quote(key)}=${value.includes("'") && !value.includes('"') ? `"${value}"` : quote(value)}`;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "\\'")}'`;
}
