import autocannon from 'autocannon';
import { basic } from '/work/main/packages/ingest/test/helpers';
import { sdkShapedBodies } from '/work/main/packages/ingest/bench/sdk-bodies';
const port = process.argv[2];
const BODIES = sdkShapedBodies(200, 50);
const r = await autocannon({ url: `http://127.0.0.1:${port}/v1/batch`, connections: 32, duration: Number(process.argv[3] ?? 8), headers: { authorization: basic('bench_key'), 'content-type': 'application/json' }, requests: BODIES.map((body) => ({ method: 'POST', body })) });
console.log(r['2xx'] / Number(process.argv[3] ?? 8), 'req/s', r.non2xx);
