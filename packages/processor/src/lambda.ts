import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDynamoDedupeEnv } from './config-dedupe';
import { readDeliveryEnv } from './config-delivery';
import { dynamoClientConfig } from './dedupe/dynamodb-client';
import { openDynamoSeenIndex } from './dedupe/seen-index-dynamodb';
import { createFirehoseTransformHandler } from './lambda/firehose-transform';
import { createKinesisEsmHandler, type KinesisEsmHandler } from './lambda/kinesis-esm';
import type { FirehoseTransformationEvent, KinesisStreamEvent } from './lambda/aws-events';
import { ConfigError } from './config-error';
import { stderrLogger } from './log';
import { wireDelivery } from './wiring';

/**
 * AWS Lambda entries, configured from the function's environment (the same variables as the
 * Node entry: S3_BUCKET, S3_PREFIX, OUTPUT_FORMAT, EVENT_PREFIX, ERROR_PREFIX, PII_*, DATABASE_URL,
 * PG_*). `kinesisHandler`: Kinesis event source mapping with ReportBatchItemFailures; with
 * DEDUPE_TABLE (+ DEDUPE_WINDOW_HOURS, DYNAMODB_ENDPOINT) it leaves out resends an earlier batch
 * delivered. `firehoseHandler`: Firehose data transformation.
 */
function deliveryEnv(): ReturnType<typeof readDeliveryEnv> {
  const problems: string[] = [];
  const env = readDeliveryEnv(process.env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}

let esm: Promise<KinesisEsmHandler> | undefined;

export async function kinesisHandler(event: KinesisStreamEvent): ReturnType<KinesisEsmHandler> {
  esm ??= (async () => {
    const problems: string[] = [];
    const env = readDeliveryEnv(process.env, problems);
    const dedupe = readDynamoDedupeEnv(process.env, problems);
    if (!env.s3) problems.push('S3_BUCKET is required for the Lambda (it has no lasting disk)');
    if (problems.length > 0) throw new ConfigError(problems);
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const wired = await wireDelivery(env, '/tmp/lake', region, false);
    const seen = dedupe
      ? openDynamoSeenIndex({ client: new DynamoDBClient(dynamoClientConfig({ region, endpoint: dedupe.endpoint })), table: dedupe.table, windowMs: dedupe.windowMs })
      : undefined;
    return createKinesisEsmHandler({ sink: wired.sink, delivery: wired.delivery, ...(seen ? { seen } : {}), log: stderrLogger });
  })();
  return (await esm)(event);
}

let firehose: ReturnType<typeof createFirehoseTransformHandler> | undefined;

export function firehoseHandler(event: FirehoseTransformationEvent): ReturnType<ReturnType<typeof createFirehoseTransformHandler>> {
  firehose ??= createFirehoseTransformHandler({ pii: deliveryEnv().pii });
  return firehose(event);
}
