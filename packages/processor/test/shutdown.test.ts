import { describe, expect, it } from 'vitest';
import { shutDown } from '../src/shutdown';

/** A run whose steps note, in order, when each one finished. */
function running(consumers: { name: string; ms: number; fails?: boolean }[]) {
  const steps: string[] = [];
  const settleAfter = (ms: number, name: string, fails: boolean): Promise<void> =>
    new Promise((resolve, reject) =>
      setTimeout(() => {
        steps.push(`${name} stopped`);
        if (fails) reject(new AggregateError([new Error(`${name}: final flush failed`)], 'consumer stopped with unflushed records'));
        else resolve();
      }, ms),
    );
  return {
    steps,
    run: {
      observability: {
        stopping: () => void steps.push('not ready'),
        close: () => Promise.resolve(void steps.push('server closed')),
      },
      consumers: consumers.map((c) => ({ stop: () => settleAfter(c.ms, c.name, c.fails ?? false) })),
      sinks: { close: () => Promise.resolve(void steps.push('sinks closed')) },
    },
  };
}

describe('shutDown', () => {
  it('turns not ready, stops every consumer, then closes the sinks and last the metrics server', async () => {
    const { steps, run } = running([{ name: 'events', ms: 20 }, { name: 'bad rows', ms: 5 }]);
    await shutDown(run);
    expect(steps).toEqual(['not ready', 'bad rows stopped', 'events stopped', 'sinks closed', 'server closed']);
  });

  it('waits for the other consumer when one final flush fails first, then rejects with every failure', async () => {
    const { steps, run } = running([{ name: 'events', ms: 1, fails: true }, { name: 'bad rows', ms: 50 }]);
    const failed = await shutDown(run).then(() => undefined, (error: unknown) => error);
    expect(steps).toEqual(['not ready', 'events stopped', 'bad rows stopped', 'sinks closed', 'server closed']);
    expect(failed).toBeInstanceOf(AggregateError);
    expect((failed as AggregateError).errors.map((e: Error) => e.message)).toEqual(['events: final flush failed']);
  });

  it('lists the failures of both consumers and of a close', async () => {
    const { run } = running([{ name: 'events', ms: 1, fails: true }, { name: 'bad rows', ms: 2, fails: true }]);
    run.sinks.close = () => Promise.reject(new Error('pool end failed'));
    const failed = (await shutDown(run).catch((error: unknown) => error)) as AggregateError;
    expect(failed.errors.map((e: Error) => e.message)).toEqual(['events: final flush failed', 'bad rows: final flush failed', 'pool end failed']);
  });
});
