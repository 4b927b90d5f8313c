import { checkStreamName } from '@eventline/schemas';
import { answerBoundProblems } from './answer-bound';
import { MAX_EVENT_BYTES_CEILING } from './stored-size';

/** The app's settings checked by both ways in: the environment (`loadConfig`, the entries) and `createApp`'s options (a library user). */
const CHECKED_SETTINGS = [
  'streamName',
  'badRowsStreamName',
  'maxBodyBytes',
  'maxDecompressedBytes',
  'maxEventBytes',
  'maxBatchEvents',
  'maxSegmentBatchEvents',
  'maxParsingBytes',
  'rateLimitPerSecond',
  'rateLimitBurst',
  'clientRateLimitPerSecond',
  'clientRateLimitBurst',
] as const;
type CheckedSetting = (typeof CHECKED_SETTINGS)[number];

/** What a problem calls each setting: the variable it was read from, or the option it was passed as. */
export type SettingNames = Record<CheckedSetting, string>;

export const ENV_NAMES: SettingNames = {
  streamName: 'STREAM_NAME',
  badRowsStreamName: 'BAD_ROWS_STREAM_NAME',
  maxBodyBytes: 'INGEST_MAX_BODY_BYTES',
  maxDecompressedBytes: 'INGEST_MAX_DECOMPRESSED_BYTES',
  maxEventBytes: 'INGEST_MAX_EVENT_BYTES',
  maxBatchEvents: 'INGEST_MAX_BATCH_EVENTS',
  maxSegmentBatchEvents: 'INGEST_MAX_SEGMENT_BATCH_EVENTS',
  maxParsingBytes: 'INGEST_MAX_PARSING_BYTES',
  rateLimitPerSecond: 'INGEST_RATE_LIMIT_PER_SECOND',
  rateLimitBurst: 'INGEST_RATE_LIMIT_BURST',
  clientRateLimitPerSecond: 'INGEST_CLIENT_RATE_LIMIT_PER_SECOND',
  clientRateLimitBurst: 'INGEST_CLIENT_RATE_LIMIT_BURST',
};

export const OPTION_NAMES = Object.fromEntries(CHECKED_SETTINGS.map((key) => [key, `options.${key}`])) as SettingNames;

/** Each numeric setting's range, one for both ways in. */
export const SETTING_RANGES = {
  maxBodyBytes: { min: 1024 },
  maxDecompressedBytes: { min: 1024 },
  maxEventBytes: { min: 256, max: MAX_EVENT_BYTES_CEILING },
  maxBatchEvents: { min: 1, max: 500 },
  // Its most is what one answer can list (answer-bound.ts, in crossProblems), not a range of its own.
  maxSegmentBatchEvents: { min: 1 },
  maxParsingBytes: { min: 1024 * 1024 },
  rateLimitPerSecond: { min: 0 },
  rateLimitBurst: { min: 1 },
  clientRateLimitPerSecond: { min: 0 },
  clientRateLimitBurst: { min: 1 },
} as const satisfies Partial<Record<CheckedSetting, { min: number; max?: number }>>;

/** `from 1 to 500`, or `≥ 1024` for a range with no most. */
export function rangeWords(min: number, max = Number.MAX_SAFE_INTEGER): string {
  return max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
}

/**
 * The settings weighed against each other. One left undefined is not weighed: createApp leaves out a value
 * that has a problem of its own listed (a check against it would say nothing true).
 */
export interface CrossChecked {
  streamName?: string;
  badRowsStreamName?: string;
  maxBodyBytes?: number;
  maxDecompressedBytes?: number;
  maxBatchEvents?: number;
  maxSegmentBatchEvents?: number;
}

/** The checks that weigh settings against each other or against the front ends, the same by either way in. */
export function crossProblems(values: CrossChecked, names: SettingNames): string[] {
  return [...sizeProblems(values, names), ...streamNameProblems(values, names), ...sameStreamProblems(values, names)];
}

// crossProblems in three parts, for loadConfig to list its problems in the order it always had.

/** The answer bound (every event's status must fit one answer within the ALB's 1 MB response: answer-bound.ts) and the inflation cap. */
export function sizeProblems(values: CrossChecked, names: SettingNames): string[] {
  const problems = answerBoundProblems(values, names);
  const { maxBodyBytes: body, maxDecompressedBytes: inflated } = values;
  if (body !== undefined && inflated !== undefined && inflated < body) problems.push(`${names.maxDecompressedBytes} must be ≥ ${names.maxBodyBytes}`);
  return problems;
}

export function streamNameProblems(values: CrossChecked, names: SettingNames): string[] {
  const problems: string[] = [];
  if (values.streamName !== undefined) checkStreamName(names.streamName, values.streamName, problems);
  if (values.badRowsStreamName !== undefined) checkStreamName(names.badRowsStreamName, values.badRowsStreamName, problems);
  return problems;
}

/** Bad rows would land among the events, and the processor would take every rejection for a bad event. */
export function sameStreamProblems(values: CrossChecked, names: SettingNames): string[] {
  if (values.streamName === undefined || values.streamName !== values.badRowsStreamName) return [];
  return [`${names.badRowsStreamName} must differ from ${names.streamName} (both are "${values.streamName}"): rejections would be written among the events`];
}

/**
 * `names`, with each setting in `defaults` called by its name and the default it took: a problem about a
 * setting nobody gave (`maxDecompressedBytes` under a 16 MiB `maxBodyBytes`) says where its value came from.
 */
export function namesLeftOut(names: SettingNames, defaults: Partial<Record<CheckedSetting, string | number>>): SettingNames {
  const named = { ...names };
  for (const [key, value] of Object.entries(defaults) as [CheckedSetting, string | number][]) named[key] = `${names[key]} (left out: its default ${valueWords(value)})`;
  return named;
}

/** `8 MiB` for a whole number of MiB, `"events"` for a name, the number otherwise. */
function valueWords(value: string | number): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return value > 0 && value % (1024 * 1024) === 0 ? `${value / (1024 * 1024)} MiB` : String(value);
}

/** A value as a problem shows it: JSON (strings quoted), but a number as JavaScript writes it (`NaN`, `Infinity`: JSON has them as `null`). */
export function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  // JSON.stringify throws on a BigInt.
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value) ?? String(value);
}

/** A burst given for a limit that is off does nothing: whoever set it meant a limit and has none. */
export function burstWithoutRate(burst: string, rate: string): string {
  return `${burst} has no effect while ${rate} is 0 (the limit is off): set ${rate} too, or leave ${burst} out`;
}
