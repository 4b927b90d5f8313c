import { DEFAULT_BAD_ROWS_STREAM } from '@eventline/schemas';
import type { ProcessorEnv } from './config';
import { piiNearMisses } from './core/pii';
import type { LogLevel } from './log';

export interface StartupNotice {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * Settings that are valid but leave something where an operator may not look. Without
 * BAD_ROWS_STREAM_NAME the Node entry reads no bad-rows stream: the ingest's rejections stay in
 * theirs until its retention ends, unseen in the lake, while this processor's own bad rows still
 * land next to the events. Said at start, with where each goes.
 */
export function startupNotices(env: Pick<ProcessorEnv, 'badRowsStream' | 'lakeDir' | 'delivery'>): StartupNotice[] {
  return [...badRowsNotices(env), ...piiNotices(env)];
}

/**
 * PII paths that differ from a known field only in case, `_` or `-` under an open object
 * (`context.userAgent`, `properties.AF_REVENUE`): valid, since such a key can be stored, but the
 * known field (`context.user_agent`) stays raw if it was the one meant.
 */
export function piiNotices(env: Pick<ProcessorEnv, 'delivery'>): StartupNotice[] {
  return piiNearMisses(env.delivery.pii).map(({ path, why }) => ({
    level: 'warn' as const,
    msg: `PII path "${path}" is close to a known field: ${why}`,
    fields: { pii_path: path, applies_to: `only a key spelt "${path.split('.').at(-1)}" exactly; the known field is not covered unless listed` },
  }));
}

function badRowsNotices(env: Pick<ProcessorEnv, 'badRowsStream' | 'lakeDir' | 'delivery'>): StartupNotice[] {
  if (env.badRowsStream !== undefined) return [];
  const destination = env.delivery.s3 ? `s3://${env.delivery.s3.bucket}/${env.delivery.s3.prefix}` : `${env.lakeDir}/`;
  return [
    {
      level: 'warn',
      msg: "BAD_ROWS_STREAM_NAME is unset: the ingest's rejections are not read",
      fields: {
        ingest_rejections: `stay in the ingest's bad-rows stream (default name "${DEFAULT_BAD_ROWS_STREAM}") until its retention ends; set BAD_ROWS_STREAM_NAME to that stream's name to deliver them as ingest_<code> bad rows`,
        processor_bad_rows: `${destination}${env.delivery.prefixes.errors}`,
      },
    },
  ];
}
