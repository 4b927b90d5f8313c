import type { ChaosResult } from './run';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

function streamCopiesText({ streamCopies: c }: ChaosResult): string {
  if (!c) return 'not read';
  const by = Object.entries(c.extraBySource).map(([source, n]) => `${source} ${n}`).join(', ');
  return `${c.extra}  (${by}; resends the processor's seen index kept out of the lake; informative)`;
}

/** The printed result of a run: what was sent, where it ended, what was injected, what it cost. */
export function formatReport(result: ChaosResult): string {
  const r = result.reconciliation;
  const p = result.plan;
  const bySource = Object.entries(r.sentBySource)
    .map(([source, n]) => `${source} ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    ['sent (tracked)', `${r.sent}  (${bySource})`],
    ['delivered once', `${r.delivered}`],
    ['bad rows as expected', `${r.badAccounted}`],
    ['duplicates in lake', `${r.duplicates}  (rows repeating an event_id: ${r.duplicateEventIds})`],
    ['extra copies in Kinesis', streamCopiesText(result)],
    ['missing', `${r.missing.length}`],
    ['misplaced', `${r.misplaced.length}`],
    ['unexplained lake rows', `${r.unexpected}`],
    ...Object.entries(r.badByReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, n]): [string, string] => [`bad: ${reason}`, `${n}`]),
    ['bad rows repeated', `${r.badRowRepeats}  (an invalid event sent again; not a failure)`],
    ['delivery delay track→lake', `p50 ${seconds(r.delayMs.p50)}, p99 ${seconds(r.delayMs.p99)}, max ${seconds(r.delayMs.max)} (max node ${seconds(r.maxDelayBySource.node)}, browser ${seconds(r.maxDelayBySource.browser)})`],
    ...Object.entries(result.rssMiB).map(([service, mib]): [string, string] => [`peak RSS ${service}`, `${mib} MiB  (bound ${p.rssLimitMiB[service as keyof typeof p.rssLimitMiB] ?? '—'} MiB)`]),
    ['faults', `ingest SIGKILL ×${result.faults.ingestKills}, processor SIGKILL ×${result.faults.processorKills}, Kinesis outage ${seconds(result.faults.outageMs)}, ${result.faults.throttledEntries} entries throttled`],
    ['SDK notices', `drops ${JSON.stringify(result.sdk.drops)}, retried errors ${result.sdk.errors}`],
    ['run', `${p.name} plan, ${p.engine}, ${seconds(result.durationMs)}`],
  ];
  const verdict = result.problems.length === 0 ? 'PASS: every event in the lake exactly once or a bad row with its reason' : `FAIL:\n${result.problems.map((x) => `  - ${x}`).join('\n')}`;
  const samples = r.duplicateSamples
    .slice(0, 5)
    .map((d) => `  duplicate ${d.key} (event_id ${[...new Set(d.eventIds)].join(', ')}) came in ${d.requestIds.map((id) => `${id?.slice(0, 8)} from ${(id && result.sdk.senders.get(id)) ?? 'an unanswered request'}`).join('; ')}`)
    .join('\n');
  return [table(rows), samples, verdict, result.problems.length > 0 ? `  data kept in ${result.dataDir}` : ''].filter(Boolean).join('\n');
}
