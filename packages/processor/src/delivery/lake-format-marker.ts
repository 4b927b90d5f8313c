import type { LakeFormat } from '@eventline/schemas';
import { ConfigError } from '../config-error';
import type { Sink } from './sink';

/**
 * The object at the lake root (next to `events/` and `bad_rows/`) that records the events' file format.
 * An Athena/Glue table reads one format, so a lake whose `OUTPUT_FORMAT` changed held `.ndjson.gz` and
 * `.parquet` files in the same partition folders: the JSON SerDe read the Parquet bytes as NULL rows, the
 * Parquet reader failed on the NDJSON files. The leading `_` keeps it out of Athena's (Hive's) file
 * listing, and it sits outside both tables' locations anyway.
 */
export const LAKE_FORMAT_MARKER = '_eventline_lake_format.json';

/** Where the marker is read and written: the lake folder or the S3 prefix. */
export interface MarkerStore {
  /** `LAKE_DIR/…` or `s3://bucket/prefix/…`, for messages. */
  readonly where: string;
  /** The marker's text, or undefined when there is none. */
  read(): Promise<string | undefined>;
  /** Write it unless one exists; false when another process wrote one first. */
  createIfAbsent(text: string): Promise<boolean>;
}

/** The processor is started with another `OUTPUT_FORMAT` than the lake's marker records. */
export class LakeFormatConflictError extends ConfigError {
  constructor(
    readonly where: string,
    readonly lakeFormat: string,
    readonly outputFormat: LakeFormat,
  ) {
    super([
      `OUTPUT_FORMAT is "${outputFormat}" but the lake at ${where} holds "${lakeFormat}" files (its marker ${LAKE_FORMAT_MARKER} says so): ` +
        'an Athena/Glue table reads one format, and both in the same partition folders give it NULL rows or failed queries. ' +
        `Set OUTPUT_FORMAT=${lakeFormat}; or write "${outputFormat}" to a new location (another S3_PREFIX or LAKE_DIR); ` +
        `or rewrite the existing files as "${outputFormat}", then delete ${LAKE_FORMAT_MARKER}.`,
    ]);
    this.name = 'LakeFormatConflictError';
  }
}

interface Marker {
  output_format: string;
  written_at: string;
}

/**
 * Check the lake's recorded format against `format`, recording it when the lake has none yet (a new
 * lake, or one written before the marker existed: its first start after the upgrade records the format
 * it runs with). Throws LakeFormatConflictError on a mismatch and a ConfigError on an unreadable marker.
 */
export async function claimLakeFormat(store: MarkerStore, format: LakeFormat, now: () => Date = () => new Date()): Promise<void> {
  let text = await store.read();
  if (text === undefined) {
    const marker: Marker = { output_format: format, written_at: now().toISOString() };
    if (await store.createIfAbsent(`${JSON.stringify(marker)}\n`)) return;
    // Another process started on the same lake at the same moment: its marker decides.
    text = await store.read();
    if (text === undefined) throw new ConfigError([`${LAKE_FORMAT_MARKER} at ${store.where} could not be written nor read`]);
  }
  const recorded = markerFormat(text);
  if (recorded === undefined) {
    throw new ConfigError([
      `${LAKE_FORMAT_MARKER} at ${store.where} is not {"output_format":"ndjson"|"parquet",…}: ${JSON.stringify(text.slice(0, 200))}; ` +
        'write it again with the format of the files in the lake (or delete it: the next start records OUTPUT_FORMAT)',
    ]);
  }
  if (recorded !== format) throw new LakeFormatConflictError(store.where, recorded, format);
}

function markerFormat(text: string): LakeFormat | undefined {
  try {
    // A marker saved by an editor may start with a byte order mark, which JSON.parse refuses.
    const value = (JSON.parse(text.replace(/^\uFEFF/, '')) as Partial<Marker> | null)?.output_format;
    return value === 'ndjson' || value === 'parquet' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The marker check run once: a success or a configuration error (a conflict) is kept; any other failure
 * (S3 unreachable) is not, so the next call tries again.
 */
export function lakeFormatGate(store: MarkerStore, format: LakeFormat): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () =>
    (result ??= claimLakeFormat(store, format).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) result = undefined;
      throw error;
    }));
}

/** A sink whose every write waits for the gate: nothing is written before the lake's format is known to match. */
export function gatedSink(sink: Sink, gate: () => Promise<void>): Sink {
  return {
    async write(objectKey, bytes) {
      await gate();
      await sink.write(objectKey, bytes);
    },
  };
}
