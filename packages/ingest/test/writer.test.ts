import { describe, expect, it, vi } from 'vitest';
import { createBatchingWriter, type OutRecord, type PutCall, type RecordWriter, type WriteOutcome, type WriterTuning } from '../src';

const tuning: WriterTuning = { lingerMs: 10, budgetMs: 2000, maxBytesInFlight: 1024 * 1024, breakerFailures: 3, breakerCooldownMs: 200, baseDelayMs: 5, maxDelayMs: 20 };
const rec = (key: string, label: string): OutRecord => ({ data: Buffer.from(label), partitionKey: key });
const label = (r: OutRecord) => Buffer.from(r.data).toString();

/** A PutRecords stand-in that records every call and fails what `failWhen` says. */
function fakeKinesis(failWhen: (label: string, attempt: number) => string | undefined = () => undefined, written: string[] = []) {
  const calls: string[][] = [];
  const attempts = new Map<string, number>();
  const put: PutCall = (_stream, records) => {
    calls.push(records.map(label));
    const failed: { index: number; code: string }[] = [];
    records.forEach((r, index) => {
      const l = label(r);
      const n = (attempts.get(l) ?? 0) + 1;
      attempts.set(l, n);
      const code = failWhen(l, n);
      if (code) failed.push({ index, code });
      else written.push(l);
    });
    return Promise.resolve({ failed });
  };
  return { put, calls, written };
}

const writerOver = (put: PutCall, over: Partial<WriterTuning> = {}) => createBatchingWriter(put, { ...tuning, ...over }, () => Promise.resolve());

describe('batching writer', () => {
  it('shares one PutRecords call between concurrent requests', async () => {
    const kinesis = fakeKinesis();
    const writer = writerOver(kinesis.put);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.put('events', [1, 2, 3].map((j) => rec(`d${i}`, `${i}.${j}`)))));
    expect(outcomes.every((o) => o.failed.length === 0)).toBe(true);
    expect(kinesis.calls).toHaveLength(1);
    expect(kinesis.calls[0]).toHaveLength(60);
  });

  it('splits at 500 records per call, keeping arrival order', async () => {
    const kinesis = fakeKinesis();
    const records = Array.from({ length: 1200 }, (_, i) => rec(`k${i}`, String(i)));
    expect(await writerOver(kinesis.put).put('events', records)).toEqual({ failed: [] });
    expect(kinesis.calls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(kinesis.calls.flat()).toEqual(records.map(label));
  });

  it('retries only the entries Kinesis failed', async () => {
    const kinesis = fakeKinesis((l, n) => (['b', 'd'].includes(l) && n === 1 ? 'ProvisionedThroughputExceededException' : undefined));
    const outcome = await writerOver(kinesis.put).put('events', ['a', 'b', 'c', 'd'].map((l) => rec(l, l)));
    expect(outcome).toEqual({ failed: [] });
    expect(kinesis.calls[0]).toEqual(['a', 'b', 'c', 'd']);
    expect(kinesis.calls.slice(1).flat().sort()).toEqual(['b', 'd']);
  });

  it('never lets a later record of a key overtake an earlier one that is being retried', async () => {
    // a1 fails for as long as b1 (another key, sent later) has not been written: if the writer held b1
    // back behind the retried a1, a1 would fail until its budget ran out.
    const written: string[] = [];
    const kinesis = fakeKinesis((l) => (l === 'a1' && !written.includes('b1') ? 'InternalFailure' : undefined), written);
    const writer = writerOver(kinesis.put, { lingerMs: 0 });
    const first = writer.put('events', [rec('a', 'a1')]);
    await new Promise((r) => setTimeout(r, 2));
    const second = writer.put('events', [rec('a', 'a2'), rec('b', 'b1')]);
    expect(await Promise.all([first, second])).toEqual([{ failed: [] }, { failed: [] }]);
    expect(kinesis.written.filter((l) => l.startsWith('a'))).toEqual(['a1', 'a2']);
    // Other keys are not held back behind the retried one.
    expect(kinesis.written.indexOf('b1')).toBeLessThan(kinesis.written.indexOf('a1'));
  });

  it("sends a key's retried records together in one call; its newer records wait for them", async () => {
    // a1 and a2 fail once; a4 and a5 arrive while that first call is out.
    const kinesis = fakeKinesis((l, n) => (['a1', 'a2'].includes(l) && n === 1 ? 'ProvisionedThroughputExceededException' : undefined));
    let later: Promise<WriteOutcome> | undefined;
    const writer: RecordWriter = writerOver((stream, records, signal) => {
      if (kinesis.calls.length === 0) later = writer.put('events', [rec('a', 'a4'), rec('a', 'a5')]);
      return kinesis.put(stream, records, signal);
    });
    expect(await writer.put('events', ['a1', 'a2', 'a3'].map((l) => rec('a', l)))).toEqual({ failed: [] });
    expect(await later).toEqual({ failed: [] });
    expect(kinesis.calls).toEqual([['a1', 'a2', 'a3'], ['a1', 'a2'], ['a4', 'a5']]);
  });

  it('retries a throttled 500-record batch of one key in one call, not one call per record', async () => {
    const kinesis = fakeKinesis((_l, n) => (n === 1 ? 'ProvisionedThroughputExceededException' : undefined));
    const records = Array.from({ length: 500 }, (_, i) => rec('device-1', `e${i}`));
    expect(await writerOver(kinesis.put).put('events', records)).toEqual({ failed: [] });
    expect(kinesis.calls).toEqual([records.map(label), records.map(label)]);
  });

  it('a backlog of 150,000 records on one throttled key is written 500 per call, in order (no O(backlog) work per call, no stack overflow)', async () => {
    // The key's first call is throttled whole, so its 150,000 records wait behind the retry.
    let first = true;
    const written: string[] = [];
    const put: PutCall = (_stream, records) => {
      const failed = first ? records.map((_, index) => ({ index, code: 'ProvisionedThroughputExceededException' })) : [];
      if (!first) written.push(...records.map(label));
      first = false;
      return Promise.resolve({ failed });
    };
    // A backoff long enough for the whole backlog to be waiting when the writer plans its next flush.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    // While the backlog waits out the backoff, the writer sleeps on a timer: a setImmediate per
    // event-loop turn would be a busy loop (tens of thousands in 200 ms); a few per call are fine.
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    const writer = writerOver(put, { budgetMs: 120_000, maxBytesInFlight: 64 << 20, baseDelayMs: 200, maxDelayMs: 200 });
    const puts = Array.from({ length: 300 }, (_, r) => writer.put('events', Array.from({ length: 500 }, (_, i) => rec('hot', `${r}.${i}`))));
    const outcomes = await Promise.all(puts).finally(() => random.mockRestore());
    const turns = immediates.mock.calls.length;
    immediates.mockRestore();
    expect(turns).toBeLessThan(2_000);
    expect(outcomes.every((o) => o.failed.length === 0)).toBe(true);
    // Every record once, in arrival order (one key: one call at a time), 500 per call.
    expect(written).toHaveLength(150_000);
    expect(written.every((l, i) => l === `${Math.floor(i / 500)}.${i % 500}`)).toBe(true);
    expect(writer.stats?.()).toMatchObject({ calls: 301, recordsQueued: 0, bytesInFlight: 0 });
  });

  it("a retry's backoff does not hold back other keys' new records", async () => {
    vi.useFakeTimers();
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.9); // a backoff of 900 ms, not a lucky 0
    try {
      const kinesis = fakeKinesis((l, n) => (l === 'hot' && n === 1 ? 'ProvisionedThroughputExceededException' : undefined));
      const writer = writerOver(kinesis.put, { baseDelayMs: 1000, maxDelayMs: 1000 });
      const hot = writer.put('events', [rec('hot', 'hot')]);
      await vi.advanceTimersByTimeAsync(1);
      expect(kinesis.calls).toEqual([['hot']]);
      const cold = writer.put('events', [rec('cold', 'cold')]);
      await vi.advanceTimersByTimeAsync(1);
      // Sent at once, not when hot's backoff timer fires.
      expect(kinesis.calls).toEqual([['hot'], ['cold']]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(kinesis.calls).toEqual([['hot'], ['cold'], ['hot']]);
      expect(await Promise.all([hot, cold])).toEqual([{ failed: [] }, { failed: [] }]);
    } finally {
      random.mockRestore();
      vi.useRealTimers();
    }
  });

  it('answers the entries still failing when the time budget is spent, with the last error', async () => {
    const kinesis = fakeKinesis((l) => (l === 'x' ? 'ProvisionedThroughputExceededException' : undefined));
    const outcome = await writerOver(kinesis.put, { budgetMs: 300 }).put('events', [rec('k', 'ok'), rec('k2', 'x')]);
    expect(outcome.failed).toEqual([1]);
    // The budget may run out during a backoff or during a call; either way the answer names Kinesis' error.
    expect(outcome.lastError).toMatch(/^ProvisionedThroughputExceededException/);
    expect(kinesis.calls.length).toBeGreaterThan(1);
    expect(kinesis.calls.slice(1).every((c) => c.length === 1 && c[0] === 'x')).toBe(true);
  });

  it('opens the circuit after consecutive failed calls, refuses at once with a wait, then recovers', async () => {
    let down = true;
    let calls = 0;
    const writer = writerOver(() => {
      calls += 1;
      return down ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve({ failed: [] });
    });
    for (let i = 0; i < 3; i++) expect((await writer.put('events', [rec('k', `r${i}`)])).failed).toEqual([0]);
    expect(writer.health?.()).toMatchObject({ ok: false });
    const callsWhenOpened = calls;
    const refused = await writer.put('events', [rec('k', 'late')]);
    expect(refused).toMatchObject({ failed: [0], lastError: expect.stringContaining('circuit open') as string });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(calls).toBe(callsWhenOpened);
    down = false;
    await new Promise((r) => setTimeout(r, 250));
    expect(await writer.put('events', [rec('k', 'probe')])).toEqual({ failed: [] });
    expect(writer.health?.()).toEqual({ ok: true });
    // r0's own retries opened the circuit; r1, r2 and "late" were refused without a call.
    expect(writer.stats?.()).toMatchObject({ circuitOpen: false, refused: 3, bytesInFlight: 0 });
  });

  it('half-open admits one probe write; the others are refused at once until it reports', async () => {
    let down = true;
    const hanging: (() => void)[] = [];
    let calls = 0;
    const writer = writerOver(() => {
      calls += 1;
      if (down) return Promise.reject(new Error('connect ECONNREFUSED'));
      return new Promise((resolve, reject) => hanging.push(() => (down ? reject(new Error('still down')) : resolve({ failed: [] }))));
    });
    for (let i = 0; i < 3; i++) await writer.put('events', [rec('k', `r${i}`)]);
    down = false;
    await new Promise((r) => setTimeout(r, 250)); // the 200 ms cool-down
    const probe = writer.put('events', [rec('a', 'probe')]);
    const others = await Promise.all([writer.put('events', [rec('b', 'o1')]), writer.put('events-bad', [rec('c', 'o2')])]);
    for (const o of others) {
      expect(o).toMatchObject({ failed: [0], lastError: expect.stringContaining('probe write is in flight') as string });
      expect(o.retryAfterMs).toBeGreaterThan(0);
    }
    await vi.waitFor(() => expect(hanging).toHaveLength(1));
    // The probe fails: open again for a whole cool-down.
    down = true;
    hanging.shift()!();
    expect((await probe).failed).toEqual([0]);
    expect(await writer.put('events', [rec('b', 'o3')])).toMatchObject({ lastError: expect.stringContaining('circuit open') as string });
    down = false;
    await new Promise((r) => setTimeout(r, 250));
    const second = writer.put('events', [rec('a', 'probe2')]);
    await vi.waitFor(() => expect(hanging).toHaveLength(1));
    hanging.shift()!();
    expect(await second).toEqual({ failed: [] });
    // Closed again: concurrent writes all go through.
    const after = Promise.all([writer.put('events', [rec('a', 'x')]), writer.put('events', [rec('b', 'y')])]);
    await vi.waitFor(() => expect(hanging.length).toBeGreaterThan(0));
    while (hanging.length > 0) hanging.shift()!();
    expect(await after).toEqual([{ failed: [] }, { failed: [] }]);
    expect(calls).toBe(3 + 1 + 1 + 1); // r0's attempts opened it, probe, probe2, then x and y share a call
  });

  it('refuses at once over the bytes-in-flight cap, and takes writes again once they drain', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const writer = writerOver(async () => {
      await gate;
      return { failed: [] };
    }, { maxBytesInFlight: 2000 });
    const big = (l: string) => ({ data: Buffer.alloc(1500, l), partitionKey: l });
    const first = writer.put('events', [big('a')]);
    expect(await writer.put('events', [big('b')])).toMatchObject({ failed: [0], lastError: 'too many bytes in flight', retryAfterMs: 1000 });
    expect(writer.stats?.().bytesInFlight).toBe(1501);
    release();
    expect(await first).toEqual({ failed: [] });
    expect(await writer.put('events', [big('c')])).toEqual({ failed: [] });
  });

  it('an idle writer takes one write larger than the bytes-in-flight cap; the next waits for it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const kinesis = fakeKinesis();
    const writer = writerOver(async (stream, records, signal) => {
      await gate;
      return kinesis.put(stream, records, signal);
    }, { maxBytesInFlight: 2000 });
    const big = writer.put('events', [{ data: Buffer.alloc(3000, 'a'), partitionKey: 'a' }]);
    expect(await writer.put('events', [rec('b', 'b')])).toMatchObject({ failed: [0], lastError: 'too many bytes in flight' });
    release();
    expect(await big).toEqual({ failed: [] });
    expect(await writer.put('events', [{ data: Buffer.alloc(3000, 'c'), partitionKey: 'c' }])).toEqual({ failed: [] });
  });

  // 600: a full call's worth waiting behind the backoff (the writer's "a full call goes at once" must not spin).
  it.each([1, 600])('close() waits out a retry backoff on a timer, without spinning through event-loop turns (%i records)', async (count) => {
    const kinesis = fakeKinesis((_l, n) => (n <= 3 ? 'ProvisionedThroughputExceededException' : undefined));
    const writer = writerOver(kinesis.put, { budgetMs: 10_000, baseDelayMs: 100, maxDelayMs: 200 });
    // Every setImmediate the writer asks for: re-arming one per turn until a backoff ends is a busy loop
    // (one core at 100 % during shutdown). Backoffs of 100-200 ms, not a lucky 0.
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const pending = writer.put('events', Array.from({ length: count }, (_, i) => rec('k', `x${i}`)));
      await writer.close?.();
      expect(await pending).toEqual({ failed: [] });
      expect(kinesis.written).toHaveLength(count);
      expect(immediates.mock.calls.length).toBeLessThan(10);
    } finally {
      immediates.mockRestore();
      random.mockRestore();
    }
  });

  it('close() writes what is queued, then refuses new writes', async () => {
    const kinesis = fakeKinesis();
    const writer = writerOver(kinesis.put, { lingerMs: 500 });
    const pending = writer.put('events', [rec('k', 'queued')]);
    await writer.close?.();
    expect(kinesis.written).toEqual(['queued']);
    expect(await pending).toEqual({ failed: [] });
    expect((await writer.put('events', [rec('k', 'after')])).failed).toEqual([0]);
  });
});
