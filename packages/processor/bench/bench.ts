// `npm run bench`: events/s of the processor's core + delivery, as ratios against plain zlib gzip
// of the same bytes (the ceiling: any delivery must at least compress what it writes), all
// measured in this one run on this machine. Goals: NDJSON.gz ≥ 50 %, Parquet ≥ 25 % of the ceiling.
import { gzipSync } from 'node:zlib';
import { deliverRecords, type InputRecord, type Sink } from '../src';
import { records } from './records';

const EVENTS = 20_000;
const FLUSH = 2_000; // records per flush (one shard's buffer)
const ROUNDS = 5;

const nullSink: Sink = { write: () => Promise.resolve() };

async function measure(name: string, run: (batch: InputRecord[]) => Promise<unknown>, input: InputRecord[]): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < input.length; i += FLUSH) await run(input.slice(i, i + FLUSH));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round > 0) rates.push(input.length / seconds); // round 0 warms up the JIT and caches
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)] ?? 0;
  process.stdout.write(`  ${name.padEnd(44)} ${Math.round(median).toLocaleString('en-US').padStart(10)} events/s\n`);
  return median;
}

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
  process.stdout.write(`processor bench: ${EVENTS} events (${Math.round(bytes / EVENTS)} B each), flushes of ${FLUSH}, median of ${ROUNDS}\n`);
  const ceiling = await measure('ceiling: zlib gzip of the same NDJSON bytes', (batch) => {
    gzipSync(Buffer.concat(batch.flatMap((r) => [r.data, Buffer.from('\n')])));
    return Promise.resolve();
  }, input);
  const ndjson = await measure('core + NDJSON.gz delivery', (batch) => deliverRecords('shardId-000000000000', batch, nullSink, { format: 'ndjson' }), input);
  const fast = await measure('core + NDJSON.gz delivery, GZIP_LEVEL=1', (batch) => deliverRecords('shardId-000000000000', batch, nullSink, { format: 'ndjson', gzipLevel: 1 }), input);
  const parquet = await measure('core + Parquet delivery', (batch) => deliverRecords('shardId-000000000000', batch, nullSink, { format: 'parquet' }), input);
  const sizes = await fileSizes(input.slice(0, FLUSH));
  process.stdout.write(
    `\n  bytes per event, one flush of ${FLUSH}: input ${sizes.input}, gzip of input ${sizes.gzip}, ` +
      `NDJSON.gz ${sizes.ndjson}, NDJSON.gz level 1 ${sizes.ndjson1}, Parquet ${sizes.parquet}\n`,
  );
  const pct = (x: number): string => `${Math.round((100 * x) / ceiling)} %`;
  process.stdout.write(
    `\n  NDJSON.gz / ceiling:                ${pct(ndjson)} (goal ≥ 50 %)\n` +
      `  NDJSON.gz (GZIP_LEVEL=1) / ceiling: ${pct(fast)}\n` +
      `  Parquet / ceiling:                  ${pct(parquet)} (goal ≥ 25 %)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
