import { describe, expect, it } from 'vitest';
import { sharedCheck } from '../src/kinesis/shared-check';

describe('sharedCheck (the readiness cache)', () => {
  function counted(outcomes: (Error | undefined)[]) {
    const calls: { key: string; end: () => void }[] = [];
    const check = (key: string) =>
      new Promise<void>((resolve, reject) => {
        const outcome = outcomes[calls.length];
        calls.push({ key, end: () => (outcome ? reject(outcome) : resolve()) });
      });
    return { check, calls };
  }

  it('concurrent askers share one check; its result is kept for the TTL after it ends, per key', async () => {
    let time = 0;
    const { check, calls } = counted([undefined, undefined, undefined]);
    const ready = sharedCheck(check, 5000, () => time);
    const asked = Array.from({ length: 50 }, () => ready('events'));
    expect(calls).toHaveLength(1);
    calls[0]!.end();
    await Promise.all(asked);
    time = 4999;
    await ready('events');
    expect(calls).toHaveLength(1);
    const other = ready('events-bad');
    expect(calls.map((c) => c.key)).toEqual(['events', 'events-bad']);
    calls[1]!.end();
    await other;
    time = 5000;
    const again = ready('events');
    expect(calls).toHaveLength(3);
    calls[2]!.end();
    await again;
  });

  it('a failure is kept for the TTL too, then asked again', async () => {
    let time = 0;
    const { check, calls } = counted([new Error('down'), undefined]);
    const ready = sharedCheck(check, 5000, () => time);
    const first = ready('events');
    calls[0]!.end();
    await expect(first).rejects.toThrow('down');
    await expect(ready('events')).rejects.toThrow('down');
    expect(calls).toHaveLength(1);
    time = 6000;
    const second = ready('events');
    calls[1]!.end();
    await expect(second).resolves.toBeUndefined();
  });
});
