import type { MetricsEnv } from '../config-metrics';
import { fanOut, type ConsumerObserver } from '../consumer/observer';
import type { Logger } from '../log';
import { startMetricsServer } from './http-server';
import { createProcessorMetrics } from './processor-metrics';
import { createReadiness } from './readiness';

/** What the Node entry needs: metrics and readiness per consumer, and the server's lifecycle. */
export interface Observability {
  /** `http://host:port/metrics`, or null when METRICS_PORT is unset. */
  metricsUrl: string | null;
  observerFor(stream: string): ConsumerObserver | undefined;
  watchSeenIds(stream: string, read: () => number | undefined): void;
  postgresRowsSkipped(count: number): void;
  started(): void;
  stopping(): void;
  close(): Promise<void>;
}

/** Start the endpoint when configured (before the consumers, so /healthz answers while they start); else do nothing. */
export async function startObservability(env: MetricsEnv | undefined, log: Logger): Promise<Observability> {
  if (env === undefined) {
    return { metricsUrl: null, observerFor: () => undefined, watchSeenIds() {}, postgresRowsSkipped() {}, started() {}, stopping() {}, close: () => Promise.resolve() };
  }
  const metrics = createProcessorMetrics();
  const readiness = createReadiness();
  const server = await startMetricsServer({ host: env.host, port: env.port, registry: metrics.registry, readiness, log });
  return {
    metricsUrl: `${server.url}/metrics`,
    observerFor: (stream) => fanOut(metrics.observerFor(stream), readiness.observerFor(stream)),
    watchSeenIds: (stream, read) => metrics.watchSeenIds(stream, read),
    postgresRowsSkipped: (count) => metrics.postgresRowsSkipped(count),
    started: () => readiness.started(),
    stopping: () => readiness.stopping(),
    close: () => server.close(),
  };
}
