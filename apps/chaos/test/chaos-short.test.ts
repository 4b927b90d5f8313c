import { expect, it } from 'vitest';
import { formatReport, runChaos, SHORT_PLAN } from '../src';

/**
 * The CI form of `npm run chaos`: the same harness and checks with a smaller plan — a few hundred
 * events from Chromium and Node, per-entry throttling, a 5 s Kinesis outage, one SIGKILL of the
 * ingest and one of the processor. Every tracked event must be in the lake exactly once or a bad row
 * of its expected type, and every service's peak RSS within its bound.
 */
it('short accounting run: nothing lost, nothing duplicated, memory bounded', async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const result = await runChaos(SHORT_PLAN, (line) => console.log(`  ${line}`));
  console.log(formatReport(result));
  expect(result.reconciliation.sent).toBeGreaterThan(300);
  expect(result.faults).toMatchObject({ ingestKills: 1, processorKills: 1 });
  expect(result.faults.throttledEntries).toBeGreaterThan(0);
  expect(result.problems).toEqual([]);
  // The stream holds every valid event and the raw garbage (invalid events went to the bad-rows stream).
  expect(result.streamCopies?.events).toBe(result.reconciliation.delivered + result.reconciliation.sentBySource.raw);
});
