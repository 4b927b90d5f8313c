import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile, writeBenchJson, type BenchRow } from '@eventline/devstack';
import { openLake } from '@eventline/processor';
import { createEventline } from '@eventline/sdk/node';
import { DEMO_WRITE_KEY, startPipeline } from '../src/pipeline';

/**
 * `npm run bench` in apps/demo: freshness, from track() to queryable in the lake, through the real
 * pipeline (Kinesis emulator, ingest and processor as processes, DuckDB over the lake). The same-run
 * baseline is track() → the ingest's 2xx, i.e. the moment Kinesis has the event; the difference is
 * the processor's buffering (BUFFER_MAX_MS) plus its read loop and the file write.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BUFFER_MAX_MS = Number(process.env.BENCH_BUFFER_MAX_MS ?? 1000);
const POLL_MS = 50;

interface Timing {
  id: string;
  trackedAt: number;
  ackedAt: number;
  visibleAt?: number;
}


async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventline-freshness-'));
  const pipeline = await startPipeline({ dataDir, bufferMaxMs: BUFFER_MAX_MS });
  const lake = await openLake(pipeline.lakeDir);
  const timings: Timing[] = [];
  let sending = true;
  try {
    console.log(`freshness bench: ${ROUNDS} events one at a time, processor buffer ${BUFFER_MAX_MS} ms, lake polled every ${POLL_MS} ms\n`);
    const poller = (async () => {
      while (sending || timings.some((t) => t.visibleAt === undefined)) {
        const pending = timings.filter((t) => t.visibleAt === undefined);
        if (pending.length > 0) {
          const list = pending.map((t) => `'${t.id}'`).join(',');
          const seen = new Set((await lake.query(`select event_id from events where event_id in (${list})`)).map((r) => r.event_id as string));
          const now = performance.now();
          for (const t of pending) if (seen.has(t.id)) t.visibleAt = now;
        }
        await sleep(POLL_MS);
      }
    })();
    const sdk = createEventline({ writeKey: DEMO_WRITE_KEY, endpoint: pipeline.ingestUrl, flushAt: 1000, flushIntervalMs: 60_000 });
    let accepted: string[] = [];
    sdk.on('sent', (n) => void accepted.push(...n.acceptedIds));
    sdk.on('drop', (n) => console.error(`drop: ${n.message}`));
    for (let round = 0; round < ROUNDS; round++) {
      accepted = [];
      const trackedAt = performance.now();
      sdk.track('af_content_view', { af_content_id: `sku-${round}`, round });
      await sdk.flush();
      const [id] = accepted;
      if (!id) throw new Error(`round ${round}: the ingest did not accept the event`);
      timings.push({ id, trackedAt, ackedAt: performance.now() });
      // Spread the events over the buffer window, so some land early in a buffer and some late.
      await sleep(BUFFER_MAX_MS / 3 + (round % 3) * 97);
    }
    sending = false;
    await sdk.close();
    const timeout = sleep(60_000, undefined, { ref: false }).then(() => Promise.reject(new Error('events not queryable within 60 s')));
    await Promise.race([poller, timeout]);
  } finally {
    sending = false;
    lake.close();
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const ack = timings.map((t) => t.ackedAt - t.trackedAt);
  const fresh = timings.map((t) => t.visibleAt! - t.trackedAt);
  const rows: BenchRow[] = [
    { figure: 'track → Kinesis has it (ingest 2xx), median', value: quantile(ack, 0.5), unit: 'ms' },
    {
      figure: `track → queryable in the lake, median (processor buffer ${BUFFER_MAX_MS} ms)`,
      value: quantile(fresh, 0.5),
      unit: 'ms',
      baseline: 'track → ingest 2xx, median',
      baselineValue: quantile(ack, 0.5),
    },
    { figure: 'track → queryable in the lake, max', value: Math.max(...fresh), unit: 'ms' },
  ];
  console.table(rows.map((r) => ({ figure: r.figure, ms: Math.round(r.value) })));
  console.log(`\n(${ROUNDS} events; the lake is polled every ${POLL_MS} ms, so figures are up to ${POLL_MS} ms late)`);
  writeBenchJson('@eventline/demo', rows);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
