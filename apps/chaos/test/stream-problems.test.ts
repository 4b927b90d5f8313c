import { describe, expect, it } from 'vitest';
import type { Reconciliation } from '../src/reconcile';
import { streamProblems, type StreamCopies } from '../src/stream-copies';

const reconciliation = { delivered: 10, sentBySource: { node: 6, browser: 5, raw: 3 } } as Reconciliation;
const copies = (events: number): StreamCopies => ({ events, extra: 2, extraBySource: { node: 1, browser: 1, raw: 0 } });

describe('streamProblems (every run: the README promised it of the short one, only its test checked it)', () => {
  it('passes when the stream holds every delivered valid event and the raw garbage, extra copies aside', () => {
    expect(streamProblems(copies(13), reconciliation)).toEqual([]);
  });

  it('fails when the stream holds fewer or more tracked events', () => {
    expect(streamProblems(copies(12), reconciliation)).toEqual(['the events stream holds 12 tracked events, not 13 (10 delivered valid events + 3 raw garbage records)']);
    expect(streamProblems(copies(14), reconciliation)).toHaveLength(1);
  });
});
