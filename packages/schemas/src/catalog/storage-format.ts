import { DEFAULT_LAKE_FORMAT, type CatalogOptions, type LakeFormat, type TableSpec } from './table-spec';

/** How one file format is read: the values both the Athena DDL and the Glue table input are built from. */
export interface StorageFormat {
  inputFormat: string;
  outputFormat: string;
  serde: string;
  /** Glue `classification` (Athena uses it to pick the reader). */
  classification: string;
  /** SerDe properties: `WITH SERDEPROPERTIES` / `SerdeInfo.Parameters`. */
  serdeProperties: Readonly<Record<string, string>>;
  /** Table properties besides projection: `TBLPROPERTIES` / `Parameters`. */
  tableProperties: Readonly<Record<string, string>>;
}

export const STORAGE_FORMATS: Readonly<Record<LakeFormat, StorageFormat>> = {
  parquet: {
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    classification: 'parquet',
    serdeProperties: {},
    tableProperties: { 'parquet.compression': 'SNAPPY' },
  },
  ndjson: {
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    // OpenX, not the Hive JSON SerDe that AWS advises over it (OpenX's Athena results "can be
    // non-deterministic"): the `json` columns are objects in each NDJSON line and `string` in the table,
    // and Trino's Hive JSON reader (Athena engine 3 builds on Trino) refuses an object in a string column,
    // where OpenX gives its text.
    // The READMEs send Athena users to Parquet.
    serde: 'org.openx.data.jsonserde.JsonSerDe',
    classification: 'json',
    // The processor writes ISO timestamps with milliseconds and an offset. Keys are matched as
    // written: the OpenX SerDe's default (case.insensitive true) folds the case of every key at every
    // depth while parsing, so `properties` {"Foo":1,"foo":2} read back as text with one of the two
    // keys gone. The rows' own keys are the lower-case column names, which match either way.
    serdeProperties: { 'ignore.malformed.json': 'false', 'case.insensitive': 'false', 'timestamp.formats': "yyyy-MM-dd'T'HH:mm:ss.SSSXXX" },
    tableProperties: {},
  },
};

/** Bad rows are always NDJSON.gz; events follow the chosen format (DEFAULT_LAKE_FORMAT when none is named). */
export function tableFormat(options: CatalogOptions, table: TableSpec): LakeFormat {
  return table.name === 'events' ? (options.format ?? DEFAULT_LAKE_FORMAT) : 'ndjson';
}
