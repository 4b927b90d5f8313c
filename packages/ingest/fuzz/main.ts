import { runFuzz } from './harness';

/** `npm run fuzz`: the run at scale; prints the counts and exits non-zero on any wrong answer. FUZZ_COUNT, FUZZ_SEED tune it. */
const report = await runFuzz({
  count: Number(process.env.FUZZ_COUNT ?? 10_000),
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  log: (line) => console.log(line),
});
console.log(`\ningest fuzz: ${report.sent} generated requests + ${report.flood.sent} flood, seed ${report.seed}, ${report.engine}, ${report.seconds.toFixed(1)} s`);
console.table(Object.entries(report.byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([answer, n]) => ({ answer, requests: n })));
console.log('by kind:', report.byKind);
console.log('flood (one key, 128 at once):', report.flood.byStatus);
const { rss } = report;
console.log(`server RSS: start ${rss.startMiB.toFixed(0)} MiB, peak ${rss.peakMiB.toFixed(0)} MiB (bound ${rss.boundMiB}), first-quarter peak ${rss.firstQuarterPeakMiB.toFixed(0)} → last-quarter median ${rss.lastQuarterMedianMiB.toFixed(0)} MiB (growth bound ${rss.growthBoundMiB})`);
console.log(`server exit code on SIGTERM: ${report.exitCode}`);
if (!report.ok) {
  console.error(`\nFAILED: ${report.failureCount} wrong answers or checks`);
  for (const f of report.failures) console.error(`  [${f.kind}] ${f.why} ${f.path} (${f.bodyBytes} B) ${f.answer}`);
}
process.exit(report.ok ? 0 : 1);
