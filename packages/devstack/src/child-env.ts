/**
 * What a local run's child processes (the ingest and processor services, the Kinesis emulators) take
 * from the shell: the system's basics and nothing of the pipeline's configuration. A service reads
 * its configuration from the environment, so a shell's `S3_BUCKET` (with real credentials) would make
 * the demo's processor write to S3, an `INGEST_METRICS=off` would blind its live view; the caller
 * passes every variable it means a service to have. `NAME_*` is a prefix.
 */
export const INHERITED_ENV: readonly string[] = [
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'LC_*',
  'TZ',
  // Node itself: memory limits, a corporate CA for a remote DATABASE_URL.
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
  // The demo and the chaos run set it to keep the console for their own output.
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

/** The inherited variables of `from` (see INHERITED_ENV) with `own` on top. */
export function childEnv(own: Record<string, string | undefined>, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && INHERITED_ENV.some((rule) => (rule.endsWith('*') ? name.startsWith(rule.slice(0, -1)) : name === rule))) env[name] = value;
  }
  for (const [name, value] of Object.entries(own)) if (value !== undefined) env[name] = value;
  return env;
}
