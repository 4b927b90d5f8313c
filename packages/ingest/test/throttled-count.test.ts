import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttledCount } from '../src/http/throttled-count';

describe('throttledCount (the refused-connections log line)', () => {
  afterEach(() => vi.useRealTimers());

  it('reports the first event at once, then at most one count per interval, and nothing for a quiet interval', () => {
    vi.useFakeTimers();
    const reports: number[] = [];
    const count = throttledCount(10_000, (n) => reports.push(n));
    count();
    expect(reports).toEqual([1]);
    for (let i = 0; i < 500; i++) count();
    expect(reports).toEqual([1]);
    vi.advanceTimersByTime(10_000);
    expect(reports).toEqual([1, 500]);
    count();
    vi.advanceTimersByTime(10_000);
    expect(reports).toEqual([1, 500, 1]);
    vi.advanceTimersByTime(10_000); // nothing came: no line, and the next event is reported at once
    count();
    expect(reports).toEqual([1, 500, 1, 1]);
  });
});
