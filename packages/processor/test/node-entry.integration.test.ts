import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KINESIS_ENGINES, waitFor } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../src';
import { storedEvent } from './fixtures/events';
import { nodeEntrySuite } from './fixtures/node-entry-suite';
import { runEntry } from './fixtures/run-node';

describe.each(KINESIS_ENGINES)('node entry against %s', (engine) => {
  const suite = nodeEntrySuite(engine);

  it('reads env, prints a ready line, delivers, and exits 0 on SIGTERM', async () => {
    const { running, lakeDir, ready } = await suite.start({ BUFFER_MAX_MS: '1000' });
    expect(ready).toMatchObject({ event: 'ready', service: 'processor', stream: 'clicks', lake_dir: lakeDir });
    // No BAD_ROWS_STREAM_NAME here: the entry says at start where rejections and bad rows go.
    expect(running.stderr()).toContain(`"msg":"BAD_ROWS_STREAM_NAME is unset: the ingest's rejections are not read"`);
    expect(running.stderr()).toContain(`"processor_bad_rows":"${lakeDir}/bad_rows/`);

    const events = [storedEvent(), storedEvent({ anonymous_id: 'dev-2' }), storedEvent({ anonymous_id: 'dev-3' })];
    await suite.withKinesis((producer) =>
      producer.send(
        new PutRecordsCommand({ StreamName: 'clicks', Records: events.map((e) => ({ Data: Buffer.from(JSON.stringify(e)), PartitionKey: e.anonymous_id })) }),
      ),
    );
    const count = async (): Promise<unknown> => (await runQuery(lakeDir, 'SELECT count(*) AS n FROM events'))[0]?.n;
    await waitFor('3 events in the lake', async () => (await count()) === 3);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toContain('"msg":"stopped"');
  });
});

describe('node entry configuration', () => {
  it('exits 1 and names every bad variable', async () => {
    const run = runEntry('src/node.ts', [], { KINESIS_ENDPOINT: 'localhost:4567', BUFFER_MAX_MS: 'soon' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('STREAM_NAME is required');
    expect(run.stderr()).toContain('KINESIS_ENDPOINT must be an http(s) URL');
    expect(run.stderr()).toContain('BUFFER_MAX_MS must be an integer');
  });
});
