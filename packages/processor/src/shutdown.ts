/** What the Node entry stops, in this order. */
export interface Running {
  /** Readiness turns 503 first: the final flushes are about to run. */
  observability: { stopping(): void; close(): Promise<void> };
  consumers: readonly { stop(options?: { drainMs?: number }): Promise<void> }[];
  /** The S3 client and PostgreSQL pool the consumers flush through. */
  sinks: { close(): Promise<void> };
}

/**
 * Stop every consumer (each first reads its shards to the stream's tip for at most `drainMs`, when
 * given) and wait for all of them, even when one's final flush fails (another may still
 * be flushing through the sinks); then close the sinks, then the metrics server, so it can be scraped
 * through the final flushes. Rejects with an AggregateError listing every failure.
 */
export async function shutDown(running: Running, options: { drainMs?: number } = {}): Promise<void> {
  running.observability.stopping();
  const failures: unknown[] = [];
  for (const result of await Promise.allSettled(running.consumers.map((c) => c.stop(options)))) {
    if (result.status === 'rejected') failures.push(...leaves(result.reason));
  }
  for (const close of [() => running.sinks.close(), () => running.observability.close()]) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} failure(s) while stopping`);
}

/** A consumer's AggregateError (one entry per failed shard) as its entries, so each is logged. */
function leaves(error: unknown): unknown[] {
  return error instanceof AggregateError ? error.errors : [error];
}
