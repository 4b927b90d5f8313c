import { isAlive, startKinesis } from '@eventline/devstack';
import { describe, expect, it } from 'vitest';
import { runCleanup } from '../src/cleanup';
import { createLedger } from '../src/ledger';
import { countStreamCopies } from '../src/stream-copies';

describe('runCleanup', () => {
  it('still stops the services when a later-added step throws (counting copies of a missing stream)', async () => {
    const kinesis = await startKinesis({ engine: 'kinesalite' });
    const ran: string[] = [];
    const steps: (() => Promise<void>)[] = [];
    steps.push(async () => {
      ran.push('stop kinesis');
      await kinesis.stop();
    });
    // As in the run: read after the clients closed, before Kinesis stops. No such stream: it throws.
    steps.push(async () => {
      ran.push('count copies');
      await countStreamCopies(kinesis.endpoint, 'no-such-stream', createLedger().events);
    });
    steps.push(() => Promise.resolve(void ran.push('close clients')));

    const errors = await runCleanup(steps);

    expect(ran).toEqual(['close clients', 'count copies', 'stop kinesis']);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/no-such-stream|ResourceNotFound/);
    expect(isAlive(kinesis.pid)).toBe(false);
    expect(steps).toEqual([]); // a second call (the run's finally) has nothing left to repeat
  });
});
