import { isAppId } from '../v1/event';
import { BAD_ROW_ERROR_TYPES } from './bad-row-types';
import { BAD_ROW_COLUMNS, BAD_ROW_PARTITIONS, FIREHOSE_FAILED_COLUMNS, FIREHOSE_FAILED_PARTITIONS, LAKE_COLUMNS, LAKE_PARTITIONS, type ColumnType, type LakeColumn } from './lake-columns';

export type LakeFormat = 'parquet' | 'ndjson';
/** The events' format when none is named: the processor's `OUTPUT_FORMAT` default and the catalog's, one value. */
export const DEFAULT_LAKE_FORMAT: LakeFormat = 'ndjson';

export interface CatalogOptions {
  /** `s3://bucket/prefix` of the lake root (the folder holding `events/` and `bad_rows/`). */
  location: string;
  database?: string;
  /** The events' file format; default DEFAULT_LAKE_FORMAT (ndjson), as the processor writes them by default. */
  format?: LakeFormat;
  /** First day partition projection covers (YYYY-MM-DD); later days up to NOW are projected. */
  firstDate?: string;
  /** Known app ids: projected as an enum. Absent: `injected` (queries must filter on app_id). */
  appIds?: readonly string[];
  /**
   * Also the `firehose_processing_failed` table: the records the Firehose transformation answered
   * `ProcessingFailed`, in Firehose's own format under the error prefix FIREHOSE_ERROR_PREFIX.
   */
  firehose?: boolean;
}

/** The Firehose error prefix (`ErrorOutputPrefix`) the firehose_processing_failed table reads. */
export const FIREHOSE_ERROR_PREFIX = 'firehose_errors/!{firehose:error-output-type}/event_date=!{timestamp:yyyy-MM-dd}/';

/** One table of the lake as the catalog sees it. */
export interface TableSpec {
  name: 'events' | 'bad_rows' | 'firehose_processing_failed';
  folder: string;
  columns: readonly LakeColumn[];
  partitions: readonly LakeColumn[];
  /** SerDe properties over the format's own (STORAGE_FORMATS). */
  serdeProperties?: Readonly<Record<string, string>>;
}

export const TABLES: readonly TableSpec[] = [
  { name: 'events', folder: 'events', columns: LAKE_COLUMNS, partitions: LAKE_PARTITIONS },
  { name: 'bad_rows', folder: 'bad_rows', columns: BAD_ROW_COLUMNS, partitions: BAD_ROW_PARTITIONS },
];

/**
 * Firehose's processing-failed records (FIREHOSE_ERROR_PREFIX with `processing-failed` for the error type).
 * Keys matched case-insensitively: Firehose writes `attemptsMade`, Hive's column is `attemptsmade`; the
 * records hold no nested objects, so the folding that made the lake tables case-sensitive costs nothing here.
 */
export const FIREHOSE_FAILED_TABLE: TableSpec = {
  name: 'firehose_processing_failed',
  folder: 'firehose_errors/processing-failed',
  columns: FIREHOSE_FAILED_COLUMNS,
  partitions: FIREHOSE_FAILED_PARTITIONS,
  serdeProperties: { 'case.insensitive': 'true' },
};

/** The tables the options ask for: the lake's two, plus Firehose's processing-failed records with `firehose`. */
export function catalogTables(options: CatalogOptions): readonly TableSpec[] {
  return options.firehose ? [...TABLES, FIREHOSE_FAILED_TABLE] : TABLES;
}

/** SerDe properties of a table: its format's, then its own. */
export function serdeProperties(format: { serdeProperties: Readonly<Record<string, string>> }, table: TableSpec): Record<string, string> {
  return { ...format.serdeProperties, ...table.serdeProperties };
}

/** Hive / Athena type of a lake column. JSON travels as text. */
export function hiveType(type: ColumnType): string {
  return type === 'json' ? 'string' : type;
}

/** Data columns: Athena refuses a column that is also a partition, and the folder holds it. */
export function dataColumns(table: TableSpec): LakeColumn[] {
  const partitioned = new Set(table.partitions.map((p) => p.name));
  return table.columns.filter((col) => !partitioned.has(col.name));
}

export function tableLocation(options: CatalogOptions, table: TableSpec): string {
  return `${options.location.replace(/\/+$/, '')}/${table.folder}/`;
}

/** Partition projection: no crawler, no MSCK REPAIR; Athena computes partitions from these. */
export function projection(options: CatalogOptions, table: TableSpec): Record<string, string> {
  const out: Record<string, string> = { 'projection.enabled': 'true' };
  for (const p of table.partitions) Object.assign(out, projectionOf(p.name, options));
  const template = table.partitions.map((p) => `${p.name}=\${${p.name}}`).join('/');
  out['storage.location.template'] = `${tableLocation(options, table)}${template}/`;
  return out;
}

function projectionOf(name: string, options: CatalogOptions): Record<string, string> {
  const key = (suffix: string): string => `projection.${name}.${suffix}`;
  switch (name) {
    case 'event_date':
      return {
        [key('type')]: 'date',
        [key('format')]: 'yyyy-MM-dd',
        [key('range')]: `${options.firstDate ?? '2026-01-01'},NOW`,
        [key('interval')]: '1',
        [key('interval.unit')]: 'DAYS',
      };
    case 'hour':
      return { [key('type')]: 'integer', [key('range')]: '0,23', [key('digits')]: '2' };
    case 'error_type':
      // An enum, not `injected`: Athena refuses any query on an injected column without an equality
      // filter on it, so `GROUP BY error_type` would fail.
      return { [key('type')]: 'enum', [key('values')]: BAD_ROW_ERROR_TYPES.join(',') };
    case 'app_id':
      // An id no event can have names a folder that never exists: the enum would silently find nothing for it.
      for (const id of options.appIds ?? []) if (!isAppId(id)) throw new RangeError(`app id ${JSON.stringify(id)} is not one an event can have (1–128 of A-Z a-z 0-9 _ -)`);
      return options.appIds && options.appIds.length > 0
        ? { [key('type')]: 'enum', [key('values')]: options.appIds.join(',') }
        : { [key('type')]: 'injected' };
    default:
      throw new RangeError(`no projection rule for partition "${name}"`);
  }
}
