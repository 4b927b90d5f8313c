import { isAddressOrHostName } from '@eventline/schemas';
import { optional } from './config-value';

/** The Node entry's metrics and health endpoint (absent: no server). */
export interface MetricsEnv {
  host: string;
  /** 0: a free port, chosen by the OS. */
  port: number;
}

/** `METRICS_PORT` (opt-in) and `METRICS_HOST` (default loopback: the endpoint has no authentication). */
export function readMetricsEnv(env: NodeJS.ProcessEnv, problems: string[]): MetricsEnv | undefined {
  const rawPort = optional(env.METRICS_PORT);
  const rawHost = optional(env.METRICS_HOST);
  const host = rawHost ?? '127.0.0.1';
  if (!isAddressOrHostName(host)) problems.push(`METRICS_HOST must be an IP address or host name, got "${host}"`);
  if (rawPort === undefined) {
    // A host alone serves nothing: almost surely a forgotten port, not a wish for no endpoint.
    if (rawHost !== undefined) problems.push('METRICS_HOST is set without METRICS_PORT: set METRICS_PORT too (0 = a free port), or unset METRICS_HOST');
    return undefined;
  }
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) {
    problems.push(`METRICS_PORT must be an integer from 0 (a free port) to 65535, got "${rawPort}"`);
    return undefined;
  }
  return { host, port };
}

