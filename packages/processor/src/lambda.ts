/**
 * AWS Lambda entries, configured from the function's environment.
 * `kinesisHandler`: Kinesis event source mapping (ReportBatchItemFailures on or off). Uses the delivery
 * variables (S3_BUCKET (required), S3_PREFIX, S3_ENDPOINT, OUTPUT_FORMAT, GZIP_LEVEL, EVENT_PREFIX,
 * ERROR_PREFIX, PII_*, DATABASE_URL, PG_*); with DEDUPE_TABLE (+ DEDUPE_WINDOW_HOURS,
 * DYNAMODB_ENDPOINT) it leaves out resends an earlier batch delivered.
 * Both: records from the stream named BAD_ROWS_STREAM_NAME (default `events-bad`, the ingest's
 * default) are the ingest's rejections and become `ingest_<code>` bad rows; any other stream's are events.
 * `firehoseHandler`: Firehose data transformation. Uses only PII_* and the dedupe variables (Firehose
 * writes the files); the other delivery variables are checked, not used. With DEDUPE_TABLE, resends
 * from a Kinesis source come back `Dropped`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDynamoDedupeEnv, type DynamoDedupeEnv } from './config-dedupe';
import { readDeliveryEnv, type DeliveryEnv } from './config-delivery';
import { readLambdaBadRowsStream } from './config-lambda-bad-rows';
import { dynamoClientConfig } from './dedupe/dynamodb-client';
import { openDynamoSeenIndex } from './dedupe/seen-index-dynamodb';
import type { SeenIndex } from './dedupe/seen-index';
import { createFirehoseTransformHandler, type FirehoseTransformHandler } from './lambda/firehose-transform';
import { createKinesisEsmHandler, type KinesisEsmHandler } from './lambda/kinesis-esm';
import type { FirehoseTransformationEvent, KinesisStreamEvent } from './lambda/aws-events';
import { ConfigError } from './config-error';
import { stderrLogger } from './log';
import { piiNotices } from './startup-notices';
import { wireDelivery } from './wiring';

/** The DynamoDB seen index when DEDUPE_TABLE is set; `conditionalWrites` where claims of one id may race. */
function dynamoSeenIndex(dedupe: DynamoDedupeEnv | undefined, region: string, conditionalWrites: boolean): SeenIndex | undefined {
  if (dedupe === undefined) return undefined;
  const client = new DynamoDBClient(dynamoClientConfig({ region, endpoint: dedupe.endpoint }));
  return openDynamoSeenIndex({ client, table: dedupe.table, windowMs: dedupe.windowMs, conditionalWrites });
}

/** Once per cold start, as the Node entry does at start: a PII path that may not be the field meant. */
function warnPiiNearMisses(delivery: DeliveryEnv): void {
  for (const notice of piiNotices({ delivery })) stderrLogger(notice.level, notice.msg, notice.fields);
}

async function setUpKinesisHandler(): Promise<KinesisEsmHandler> {
  const problems: string[] = [];
  const env = readDeliveryEnv(process.env, problems);
  const dedupe = readDynamoDedupeEnv(process.env, problems);
  const badRowsStream = readLambdaBadRowsStream(process.env, problems);
  if (!env.s3) problems.push('S3_BUCKET is required for the Lambda (it has no lasting disk)');
  if (problems.length > 0) throw new ConfigError(problems);
  warnPiiNearMisses(env);
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const wired = await wireDelivery(env, '/tmp/lake', region, stderrLogger);
  // The ESM orders each partition key's records: claims of one event_id never race.
  const seen = dynamoSeenIndex(dedupe, region, false);
  return createKinesisEsmHandler({ sink: wired.sink, delivery: wired.delivery, ...(seen ? { seen } : {}), badRowsStream, log: stderrLogger });
}

let esm: Promise<KinesisEsmHandler> | undefined;

export async function kinesisHandler(event: KinesisStreamEvent): ReturnType<KinesisEsmHandler> {
  esm ??= setUpKinesisHandler().catch((error: unknown) => {
    // Only a configuration error is kept: no retry can fix it. Anything else (PostgreSQL unreachable
    // for a moment at a cold start) is tried again by the next invocation; kept, it failed every
    // batch of this warm instance for good, S3 delivery included.
    if (!(error instanceof ConfigError)) esm = undefined;
    throw error;
  });
  return (await esm)(event);
}

let firehose: FirehoseTransformHandler | undefined;

// async: a configuration error then rejects, as it does in kinesisHandler, instead of throwing.
export async function firehoseHandler(event: FirehoseTransformationEvent): ReturnType<FirehoseTransformHandler> {
  firehose ??= (() => {
    const problems: string[] = [];
    const env = readDeliveryEnv(process.env, problems);
    const dedupe = readDynamoDedupeEnv(process.env, problems);
    const badRowsStream = readLambdaBadRowsStream(process.env, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    warnPiiNearMisses(env);
    // Nothing documents that Firehose transforms one shard's batches one at a time: conditional claims.
    const seen = dynamoSeenIndex(dedupe, process.env.AWS_REGION ?? 'us-east-1', true);
    return createFirehoseTransformHandler({ pii: env.pii, ...(seen ? { seen } : {}), badRowsStream, log: stderrLogger });
  })();
  return firehose(event);
}
