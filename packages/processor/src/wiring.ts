import { S3Client } from '@aws-sdk/client-s3';
import type { DeliveryEnv } from './config-delivery';
import type { DeliveryOptions } from './delivery/deliver';
import { createFolderSink } from './delivery/folder-sink';
import { folderMarkerStore } from './delivery/folder-marker-store';
import { gatedSink, lakeFormatGate } from './delivery/lake-format-marker';
import { ConfigError } from './config-error';
import type { RowSink, Sink } from './delivery/sink';
import { errorFields, type Logger } from './log';
import { createPostgresSink } from './sinks/postgres-sink';
import { s3ClientConfig } from './sinks/s3-client';
import { LakeMarkerAccessError } from './sinks/lake-marker-access-error';
import { s3MarkerStore } from './sinks/s3-marker-store';
import { createS3Sink } from './sinks/s3-sink';

export interface Wired {
  sink: Sink;
  delivery: DeliveryOptions;
  /** Close the database pool and the S3 client. */
  close(): Promise<void>;
}

/** What the sinks report besides log lines (the Node entry's metrics). */
export interface DeliveryHooks {
  /** Rows PostgreSQL's ON CONFLICT DO NOTHING skipped in a committed write. */
  postgresRowsSkipped?(count: number): void;
}

/**
 * Build the sinks a DeliveryEnv describes: folder or S3, plus PostgreSQL when configured (its table is created here).
 * First the lake's format marker is checked (and written on a new lake): an OUTPUT_FORMAT other than the
 * lake's fails the start with a LakeFormatConflictError. Should the lake not answer at start (S3 down), the
 * start goes on as before and the check runs again before each write until it has run: nothing is
 * written in another format than the lake's either way.
 */
export async function wireDelivery(env: DeliveryEnv, lakeDir: string, region: string, log: Logger, hooks: DeliveryHooks = {}): Promise<Wired> {
  const s3 = env.s3 ? new S3Client(s3ClientConfig({ endpoint: env.s3.endpoint, region, dummyCredentials: env.s3.dummyCredentials })) : undefined;
  const gate = loudAboutDenial(lakeFormatGate(env.s3 && s3 ? s3MarkerStore(s3, env.s3.bucket, env.s3.prefix) : folderMarkerStore(lakeDir), env.format), log);
  const lake = env.s3 && s3 ? createS3Sink({ client: s3, bucket: env.s3.bucket, prefix: env.s3.prefix }) : createFolderSink(lakeDir, { log });
  const sink = gatedSink(lake, gate);
  let rowSink: RowSink | undefined;
  try {
    await gate().catch((error: unknown) => {
      if (error instanceof ConfigError) throw error;
      if (error instanceof LakeMarkerAccessError) return; // logged by loudAboutDenial; checked again before each write
      log('warn', 'could not read the lake-format marker at start; it is checked again before the first write', errorFields(error));
    });
    const pg = env.postgres;
    rowSink = pg
      ? await createPostgresSink({
          connectionString: pg.url,
          schema: pg.schema,
          table: pg.table,
          batchSize: pg.batchSize,
          connectTimeoutMs: pg.connectTimeoutMs,
          statementTimeoutMs: pg.statementTimeoutMs,
          applicationName: pg.applicationName,
          onIdleError: (error) => log('warn', 'a PostgreSQL connection broke while idle; the pool opens a new one when needed', errorFields(error)),
          onRowsSkipped: ({ count, keys }) => {
            log('info', 'PostgreSQL skipped rows already in the table (ON CONFLICT DO NOTHING: a replay, or a copy of an event stored before)', {
              table: `${pg.schema}.${pg.table}`,
              count,
              events: keys.slice(0, 10),
            });
            hooks.postgresRowsSkipped?.(count);
          },
          // A schema change made by the processor itself: one line, so an operator sees what changed and when.
          onColumnsAdded: ({ table, columns }) => log('info', 'added the catalog columns the PostgreSQL table lacked (nullable; older rows hold NULL there)', { table, columns }),
          onTableCreatedAgain: ({ table, error }) =>
            log('warn', 'the PostgreSQL table was gone (dropped while the processor ran); created it again and wrote the rows (rows stored before the drop are only in the lake now)', { table, error }),
          onLockRetry: ({ table, attempt, delayMs }) =>
            log('warn', 'another transaction holds the PostgreSQL table; adding the missing catalog columns is retried', { table, attempt, delayMs }),
        })
      : undefined;
  } catch (error) {
    s3?.destroy();
    throw error;
  }
  return {
    sink,
    delivery: { format: env.format, gzipLevel: env.gzipLevel, eventPrefix: env.eventPrefix, errorPrefix: env.errorPrefix, pii: env.pii, ...(rowSink ? { rowSink } : {}) },
    async close() {
      s3?.destroy();
      await rowSink?.close();
    },
  };
}

/**
 * Each check S3 denies (403 on the marker) is an `error` line saying which permission is missing, with the
 * count of denied checks so far: every write is refused until the role is fixed, and the delivery failure
 * that follows would otherwise be the only trace.
 */
function loudAboutDenial(gate: () => Promise<void>, log: Logger): () => Promise<void> {
  let denied = 0;
  return () =>
    gate().catch((error: unknown) => {
      if (error instanceof LakeMarkerAccessError) log('error', error.message, { marker: error.key, operation: error.operation, denied_checks: ++denied });
      throw error;
    });
}
