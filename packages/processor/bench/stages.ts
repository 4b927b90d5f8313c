// Per-stage rates of the core (diagnostics for `npm run bench`): node --import tsx bench/stages.ts
import { gzipSync } from 'node:zlib';
import { validateStoredEvent } from '@eventline/schemas';
import { processRecords } from '../src';
import { encodeNdjsonGzip } from '../src/delivery/ndjson';
import { records } from './records';

const input = records(20000);
const t = (name: string, fn: () => void): void => {
  fn();
  const s = performance.now();
  for (let i = 0; i < 3; i++) fn();
  console.log(name, Math.round((3 * input.length) / ((performance.now() - s) / 1000)));
};
const td = new TextDecoder();
t('decode+parse', () => input.forEach((r) => void JSON.parse(td.decode(r.data))));
const parsed = input.map((r) => JSON.parse(td.decode(r.data)) as unknown);
t('validate', () => parsed.forEach((p) => validateStoredEvent(p)));
t('process', () => processRecords(input));
const rows = processRecords(input).rows;
t('stringify', () => rows.map((r) => JSON.stringify(r)).join('\n'));
t('ndjson gzip', () => encodeNdjsonGzip(rows));
const text = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));
console.log('out bytes/event', text.length / rows.length);
t('gzip level1', () => gzipSync(text, { level: 1 }));
t('gzip level6', () => gzipSync(text));
