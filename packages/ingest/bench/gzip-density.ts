/**
 * What the gzip density guard lets a small gzip body cost, against what a plain body may cost anyway.
 * `node --import tsx bench/gzip-density.ts` (under `flock /tmp/eventline-cpu.lock` on a shared machine).
 * Each figure is the median of 11 requests through the app (the event loop's time: inflate, count, parse, answer),
 * with the production limits (INGEST_MAX_BODY_BYTES 1 MiB, INGEST_MAX_DECOMPRESSED_BYTES 8 MiB).
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { createApp, createMemoryWriter, parseWriteKeys } from '../src';
import { DENSITY_FLOOR_TOKENS, DENSITY_TOKENS_PER_COMPRESSED_BYTE } from '../src/http/inflated-density';

const MiB = 1024 * 1024;
const app = createApp({
  writer: createMemoryWriter(),
  options: { streamName: 'events', badRowsStreamName: 'events-bad', writeKeys: parseWriteKeys('wk_bench=shop'), maxBodyBytes: MiB, maxEventBytes: 32 * 1024 },
});
const auth = `Basic ${Buffer.from('wk_bench:').toString('base64')}`;
const head = '{"sent_at":"2026-11-27T10:00:00.000Z","events":[';
/** `{},` repeated to about `bytes`: two counted tokens ({ and ,) per empty object, the densest cheap JSON. */
const emptyObjects = (bytes: number) => '{},'.repeat(Math.floor(bytes / 3));

async function median(body: string | Uint8Array<ArrayBuffer>, gzipped: boolean): Promise<{ ms: number; answer: string }> {
  const times: number[] = [];
  let answer = '';
  for (let run = 0; run < 11; run += 1) {
    const start = performance.now();
    const res = await app.request('/v1/batch', { method: 'POST', body, headers: { authorization: auth, 'content-type': 'application/json', ...(gzipped ? { 'content-encoding': 'gzip' } : {}) } });
    const text = await res.text();
    times.push(performance.now() - start);
    answer = `${res.status} ${/"code":"(\w+)"/.exec(text)?.[1] ?? ''}`;
  }
  times.sort((a, b) => a - b);
  return { ms: times[5]!, answer };
}

const plainMax = `${head}${emptyObjects(MiB - head.length - 8)}{}]}`;
// The most a gzip body of ≤ 4 KB may hold: a plain body's worth of values, then as many more past the limit as the guard allows.
const past = DENSITY_FLOOR_TOKENS;
const worstSmall = `${head}${emptyObjects(MiB - head.length)}${emptyObjects((past / 2 - 1) * 3)}{}]}`;
const bomb = `${head}${emptyObjects(8 * MiB - 1024 - head.length)}{}]}`;

const rows = [
  ['plain 1 MiB of {} (the most a plain body parses)', plainMax, false],
  [`gzip: 1 MiB of {} + ${past} tokens past it (the most a ≤ 4 KB gzip body parses; ${DENSITY_TOKENS_PER_COMPRESSED_BYTE}/compressed byte past 4 KB)`, new Uint8Array(gzipSync(worstSmall)), true],
  ['gzip bomb: 8 MiB of {} (refused before parsing)', new Uint8Array(gzipSync(bomb)), true],
] as const;

await median(plainMax, false); // warm-up
const base = (await median(plainMax, false)).ms;
for (const [name, body, gzipped] of rows) {
  const { ms, answer } = await median(body, gzipped);
  console.log(`${name}: ${body.length} B sent → ${answer}, ${ms.toFixed(1)} ms (${(ms / base).toFixed(2)}× the plain 1 MiB)`);
}
const parseStart = performance.now();
JSON.parse(bomb);
const parseMs = performance.now() - parseStart;
console.log(`for scale, JSON.parse of the bomb alone (what the guard spares): ${parseMs.toFixed(0)} ms (${(parseMs / base).toFixed(1)}× the plain 1 MiB)`);
