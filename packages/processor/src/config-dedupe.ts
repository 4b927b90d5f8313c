import { checkEndpointUrl } from '@eventline/schemas';
import { DEFAULT_SEEN_WINDOW_MS } from './dedupe/seen-index';
import { optional, readIntegerEnv } from './config-value';

/** The Lambda's DynamoDB seen index, read from the environment (absent: dedupe within each batch only). */
export interface DynamoDedupeEnv {
  table: string;
  windowMs: number;
  /** Emulator URL (dynalite); absent means real AWS. */
  endpoint: string | undefined;
}

const HOUR_MS = 3_600_000;
// A table name. Not an ARN, although DynamoDB takes one as TableName: batch answers are keyed by
// the table, and how they key an ARN could not be checked against the emulator.
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

/** `DEDUPE_WINDOW_HOURS`: how long a claim counts (the consumer's LevelDB index and the Lambda's DynamoDB one). */
export function readDedupeWindowMs(env: NodeJS.ProcessEnv, problems: string[]): number {
  return readIntegerEnv(env, 'DEDUPE_WINDOW_HOURS', DEFAULT_SEEN_WINDOW_MS / HOUR_MS, 1, 24 * 365, problems) * HOUR_MS;
}

export function readDynamoDedupeEnv(env: NodeJS.ProcessEnv, problems: string[]): DynamoDedupeEnv | undefined {
  const table = optional(env.DEDUPE_TABLE);
  const endpoint = optional(env.DYNAMODB_ENDPOINT);
  const windowMs = readDedupeWindowMs(env, problems);
  if (endpoint !== undefined) checkEndpointUrl('DYNAMODB_ENDPOINT', endpoint, problems);
  if (table === undefined) {
    if (endpoint !== undefined) problems.push('DYNAMODB_ENDPOINT is set but DEDUPE_TABLE is not: set the table, or drop the endpoint');
    return undefined;
  }
  if (!TABLE.test(table)) problems.push(`DEDUPE_TABLE must be a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -), got "${table}"`);
  return { table, windowMs, endpoint };
}

