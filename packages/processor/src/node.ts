import { ConfigError, readEnv, type ProcessorEnv } from './config';
import { lockCheckpointFiles, type CheckpointLock } from './consumer/checkpoint-lock';
import { startConsumer, type Consumer } from './consumer/consumer';
import { kinesisClientConfig } from './consumer/kinesis-client';
import { errorFields, stderrLogger } from './log';
import { startObservability, type Observability } from './metrics/observability';
import { shutDown } from './shutdown';
import { startupNotices } from './startup-notices';
import { wireDelivery, type Wired } from './wiring';

/**
 * Node entry: read the environment once, wire the sinks, start the consumer (and one for the
 * ingest's bad-rows stream when BAD_ROWS_STREAM_NAME is set), print one JSON "ready" line on
 * stdout, and on SIGTERM/SIGINT (with SHUTDOWN_DRAIN_MS, after reading each shard to the stream's tip) flush, checkpoint and exit 0 (1, once every consumer has stopped,
 * if a final flush failed). With METRICS_PORT, serve /metrics, /healthz and /readyz until after the final flush.
 */
async function main(): Promise<void> {
  const env = readEnv(process.env);
  // Before anything else: a second process on the same checkpoints (`npm run demo` twice, a restart
  // while the old process still flushes) is refused here, naming the holder, rather than failing later on
  // the metrics port or touching PostgreSQL. Each consumer releases its lock when it stops.
  const locks = await lockCheckpointFiles([env.checkpointFile, ...(env.badRowsStream ? [env.badRowsStream.checkpointFile] : [])]);
  const releaseLocks = (): Promise<unknown> => Promise.allSettled(locks.map((lock) => lock.release()));
  // Started after the sinks (below); a skip can only come from a flush, so after it is set.
  let observability: Observability | undefined;
  let wired: Wired;
  try {
    wired = await wireDelivery(env.delivery, env.lakeDir, env.region, stderrLogger, { postgresRowsSkipped: (count) => observability?.postgresRowsSkipped(count) });
  } catch (error) {
    await releaseLocks();
    throw error;
  }
  try {
    observability = await startObservability(env.metrics, stderrLogger);
  } catch (error) {
    await wired.close();
    await releaseLocks();
    throw new Error(`cannot serve metrics on ${env.metrics?.host}:${env.metrics?.port}: ${errorFields(error).error as string}`, { cause: error });
  }
  for (const notice of startupNotices(env)) stderrLogger(notice.level, notice.msg, notice.fields);
  const consumers: Consumer[] = [];
  try {
    consumers.push(await start(env, wired, observability, env.streamName, env.checkpointFile, locks[0], 'events'));
    if (env.badRowsStream) consumers.push(await start(env, wired, observability, env.badRowsStream.name, env.badRowsStream.checkpointFile, locks[1], 'ingest-bad-rows'));
  } catch (error) {
    // The start failure is what to report; stop what did start, quietly.
    await shutDown({ observability, consumers, sinks: wired }).catch(() => {});
    await releaseLocks(); // a consumer that did not start did not take over its lock
    throw error;
  }
  observability.started();

  const shutdown = (signal: string): void => {
    stderrLogger('info', 'stopping', { signal, ...(env.shutdownDrainMs > 0 ? { drain_ms: env.shutdownDrainMs } : {}) });
    const stats = (): Record<string, unknown> => ({ ...consumers[0]?.stats(), ...(consumers[1] ? { bad_rows_stream: consumers[1].stats() } : {}) });
    // A sink that hangs (S3 or PostgreSQL unreachable) would hold the final flush past the platform's
    // grace period. Nothing is lost by leaving: checkpoints only move after delivery, so a restart
    // re-reads what was not delivered, and the seen index keeps the replay exact.
    setTimeout(() => {
      stderrLogger('error', 'stop deadline passed; exiting before the final flush finished (records after the checkpoint are re-read on restart)', {
        shutdown_timeout_ms: env.shutdownTimeoutMs,
        ...stats(),
      });
      process.exit(1);
    }, env.shutdownTimeoutMs).unref();
    shutDown({ observability, consumers, sinks: wired }, { drainMs: env.shutdownDrainMs }).then(
      () => {
        stderrLogger('info', 'stopped', stats());
        process.exit(0);
      },
      (error: unknown) => {
        const each = error instanceof AggregateError ? error.errors.map((e: unknown) => errorFields(e)) : [];
        // `failures`, not `errors`: the stats carry an `errors` count, which would overwrite the list.
        stderrLogger('error', 'stopped with errors', { ...errorFields(error), ...stats(), failures: each });
        process.exit(1);
      },
    );
  };
  let stopping = false;
  const onSignal = (signal: string): void => {
    // Only the first signal stops: later ones are copies (npm run forwards the SIGINT the terminal
    // already sent to the whole process group) or a supervisor's SIGTERM after that Ctrl-C, and
    // exiting on them would skip the final flush. SHUTDOWN_TIMEOUT_MS bounds the wait; SIGKILL ends it.
    if (stopping) return stderrLogger('info', 'already stopping', { signal, shutdown_timeout_ms: env.shutdownTimeoutMs });
    stopping = true;
    shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Ready only once the handlers are in place: a supervisor (or a test) that signals on this line
  // would otherwise kill the process by the default action, before its final flush.
  process.stdout.write(JSON.stringify(readyLine(env, observability.metricsUrl)) + '\n');
}

async function start(
  env: ProcessorEnv,
  wired: Wired,
  observability: Observability,
  streamName: string,
  checkpointFile: string,
  checkpointLock: CheckpointLock | undefined,
  input: 'events' | 'ingest-bad-rows',
): Promise<Consumer> {
  const observer = observability.observerFor(streamName);
  const consumer = await startConsumer({
    kinesis: kinesisClientConfig({ endpoint: env.endpoint, region: env.region, dummyCredentials: env.dummyCredentials }),
    streamName,
    lakeDir: env.lakeDir,
    checkpointFile,
    ...(checkpointLock ? { checkpointLock } : {}),
    maxAgeMs: env.maxAgeMs,
    maxBytes: env.maxBytes,
    maxPartitions: env.maxPartitions,
    pollIntervalMs: env.pollIntervalMs,
    sink: wired.sink,
    delivery: { ...wired.delivery, input },
    // The ingest's rejections are bad rows, not events: nothing to dedupe across flushes.
    seenIndex: env.dedupe, // not opened for the bad-rows stream
    ...(observer ? { observer } : {}),
  });
  observability.watchSeenIds(streamName, () => consumer.stats().seenIds);
  return consumer;
}

function readyLine(env: ProcessorEnv, metricsUrl: string | null): Record<string, unknown> {
  return {
    event: 'ready',
    service: 'processor',
    stream: env.streamName,
    bad_rows_stream: env.badRowsStream?.name ?? null,
    endpoint: env.endpoint ?? 'aws',
    // LAKE_DIR only for a folder lake: with S3 nothing is written there, and its default looked like the lake.
    ...(env.delivery.s3 ? {} : { lake_dir: env.lakeDir }),
    destination: env.delivery.s3 ? `s3://${env.delivery.s3.bucket}/${env.delivery.s3.prefix}` : env.lakeDir,
    format: env.delivery.format,
    postgres: env.delivery.postgres ? `${env.delivery.postgres.schema}.${env.delivery.postgres.table}` : null,
    checkpoint_file: env.checkpointFile,
    dedupe_dir: env.dedupe.dir,
    metrics_url: metricsUrl,
    pid: process.pid,
  };
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else stderrLogger('error', 'processor failed to start', errorFields(error));
  process.exit(1);
});
