import { readDeliveryEnv } from './config-delivery';
import { createFirehoseTransformHandler } from './lambda/firehose-transform';
import { createKinesisEsmHandler, type KinesisEsmHandler } from './lambda/kinesis-esm';
import type { FirehoseTransformationEvent, KinesisStreamEvent } from './lambda/aws-events';
import { ConfigError } from './config-error';
import { stderrLogger } from './log';
import { wireDelivery } from './wiring';

/**
 * AWS Lambda entries, configured from the function's environment (the same variables as the
 * Node entry: S3_BUCKET, S3_PREFIX, OUTPUT_FORMAT, EVENT_PREFIX, ERROR_PREFIX, PII_*, DATABASE_URL,
 * PG_*). `kinesisHandler`: Kinesis event source mapping with ReportBatchItemFailures.
 * `firehoseHandler`: Firehose data transformation.
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
    const env = deliveryEnv();
    if (!env.s3) throw new ConfigError(['S3_BUCKET is required for the Lambda (it has no lasting disk)']);
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const wired = await wireDelivery(env, '/tmp/lake', region, false);
    return createKinesisEsmHandler({ sink: wired.sink, delivery: wired.delivery, log: stderrLogger });
  })();
  return (await esm)(event);
}

let firehose: ReturnType<typeof createFirehoseTransformHandler> | undefined;

export function firehoseHandler(event: FirehoseTransformationEvent): ReturnType<ReturnType<typeof createFirehoseTransformHandler>> {
  firehose ??= createFirehoseTransformHandler({ pii: deliveryEnv().pii });
  return firehose(event);
}
