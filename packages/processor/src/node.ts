import { ConfigError, readEnv } from './config';
import { startConsumer } from './consumer/consumer';
import { kinesisClientConfig } from './consumer/kinesis-client';
import { errorFields, stderrLogger } from './log';

/**
 * Node entry: read the environment once, start the consumer, print one JSON "ready" line on
 * stdout, and on SIGTERM/SIGINT flush, checkpoint and exit 0 (1 if the final flush failed).
 */
async function main(): Promise<void> {
  const env = readEnv(process.env);
  const consumer = await startConsumer({
    kinesis: kinesisClientConfig({ endpoint: env.endpoint, region: env.region, dummyCredentials: env.dummyCredentials }),
    streamName: env.streamName,
    lakeDir: env.lakeDir,
    checkpointFile: env.checkpointFile,
    maxAgeMs: env.maxAgeMs,
    maxBytes: env.maxBytes,
    pollIntervalMs: env.pollIntervalMs,
  });
  process.stdout.write(
    JSON.stringify({
      event: 'ready',
      service: 'processor',
      stream: env.streamName,
      endpoint: env.endpoint ?? 'aws',
      lake_dir: env.lakeDir,
      checkpoint_file: env.checkpointFile,
      pid: process.pid,
    }) + '\n',
  );

  const shutdown = (signal: string): void => {
    stderrLogger('info', 'stopping', { signal });
    consumer.stop().then(
      () => {
        stderrLogger('info', 'stopped', { ...consumer.stats() });
        process.exit(0);
      },
      (error: unknown) => {
        stderrLogger('error', 'stopped with errors', { ...errorFields(error), ...consumer.stats() });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else stderrLogger('error', 'processor failed to start', errorFields(error));
  process.exit(1);
});
