// `npm run bench`: events/s of the processor's core + delivery, as ratios against plain zlib gzip
// of the same bytes (the ceiling: any delivery must at least compress what it writes), all
// measured in this one run on this machine. Goals: NDJSON.gz ≥ 50 %, Parquet ≥ 25 % of the ceiling.
import { gzipSync } from 'node:zlib';
import { deliverRecords, type InputRecord, type Sink } from '../src';
import { records } from './records';

const EVENTS = 20_000;
const FLUSH = 2_000; // records per flush (one shard's buffer)
const ROUNDS = 7;

const nullSink: Sink = { write: () => Promise.resolve() };

type Run = (batch: InputRecord[]) => Promise<unknown>;

/** Events/s of one pass over `input`, in flushes of FLUSH. */
async function pass(run: Run, input: InputRecord[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < input.length; i += FLUSH) await run(input.slice(i, i + FLUSH));
  return input.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Rounds interleave the variants (ceiling, then each delivery), and each round's ratios use that
 * round's ceiling: on a shared machine the load drifts between seconds, and a ratio of two
 * measurements taken far apart measures the drift. Round 0 warms up the JIT and caches.
 */
async function measure(variants: Record<string, Run>, input: InputRecord[]): Promise<Record<string, { rate: number; ratio: number }>> {
  const rates: Record<string, number[]> = {};
  const ratios: Record<string, number[]> = {};
  for (let round = 0; round <= ROUNDS; round += 1) {
    let ceiling = 0;
    for (const [name, run] of Object.entries(variants)) {
      const rate = await pass(run, input);
      if (name === CEILING) ceiling = rate;
      if (round === 0) continue;
      (rates[name] ??= []).push(rate);
      (ratios[name] ??= []).push(rate / ceiling);
    }
  }
  return Object.fromEntries(Object.keys(variants).map((name) => [name, { rate: median(rates[name] ?? []), ratio: median(ratios[name] ?? []) }]));
}

const CEILING = 'ceiling: zlib gzip of the same NDJSON bytes';

/** Average bytes per event of each output, for one flush. */
async function fileSizes(batch: InputRecord[]): Promise<Record<'input' | 'gzip' | 'ndjson' | 'ndjson1' | 'parquet', number>> {
  const written = async (options: Parameters<typeof deliverRecords>[3]): Promise<number> => {
    let bytes = 0;
    await deliverRecords('shardId-000000000000', batch, { write: (_key, data) => Promise.resolve(void (bytes += data.byteLength)) }, options);
    return bytes;
  };
  const raw = Buffer.concat(batch.flatMap((r) => [r.data, Buffer.from('\n')]));
  const per = (bytes: number): number => Math.round(bytes / batch.length);
  return {
    input: per(raw.byteLength),
    gzip: per(gzipSync(raw).byteLength),
    ndjson: per(await written({ format: 'ndjson' })),
    ndjson1: per(await written({ format: 'ndjson', gzipLevel: 1 })),
    parquet: per(await written({ format: 'parquet' })),
  };
}

async function main(): Promise<void> {
  const input = records(EVENTS);
  const bytes = input.reduce((sum, r) => sum + r.data.byteLength, 0);
  const agents = new Set(input.map((r) => (JSON.parse(r.data.toString()) as { context: { user_agent: string } }).context.user_agent)).size;
  process.stdout.write(
    `processor bench: ${EVENTS} events (${Math.round(bytes / EVENTS)} B each, ${agents} distinct user agents), ` +
      `flushes of ${FLUSH}, ${ROUNDS} interleaved rounds, medians\n`,
  );
  const deliver = (options: Parameters<typeof deliverRecords>[3]): Run => (batch) => deliverRecords('shardId-000000000000', batch, nullSink, options);
  const results = await measure(
    {
      [CEILING]: (batch) => {
        gzipSync(Buffer.concat(batch.flatMap((r) => [r.data, Buffer.from('\n')])));
        return Promise.resolve();
      },
      'core + NDJSON.gz delivery': deliver({ format: 'ndjson' }),
      'core + NDJSON.gz delivery, GZIP_LEVEL=1': deliver({ format: 'ndjson', gzipLevel: 1 }),
      'core + Parquet delivery': deliver({ format: 'parquet' }),
    },
    input,
  );
  for (const [name, { rate, ratio }] of Object.entries(results)) {
    process.stdout.write(`  ${name.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} events/s  ${Math.round(100 * ratio).toString().padStart(3)} %\n`);
  }
  const sizes = await fileSizes(input.slice(0, FLUSH));
  process.stdout.write(
    `\n  bytes per event, one flush of ${FLUSH}: input ${sizes.input}, gzip of input ${sizes.gzip}, ` +
      `NDJSON.gz ${sizes.ndjson}, NDJSON.gz level 1 ${sizes.ndjson1}, Parquet ${sizes.parquet}\n`,
  );
  const pct = (name: string): string => `${Math.round(100 * (results[name]?.ratio ?? 0))} %`;
  process.stdout.write(
    `\n  NDJSON.gz / ceiling:                ${pct('core + NDJSON.gz delivery')} (goal ≥ 50 %)\n` +
      `  NDJSON.gz (GZIP_LEVEL=1) / ceiling: ${pct('core + NDJSON.gz delivery, GZIP_LEVEL=1')}\n` +
      `  Parquet / ceiling:                  ${pct('core + Parquet delivery')} (goal ≥ 25 %)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
