import { describe, expect, it } from 'vitest';
import { createReadiness, READINESS_FAILURE_LIMIT } from '../src/metrics/readiness';

describe('readiness', () => {
  it('is not ready until every consumer started, nor once stopping', () => {
    const readiness = createReadiness();
    expect(readiness.state()).toEqual({ ready: false, reasons: ['consumers are starting'] });
    readiness.started();
    expect(readiness.state()).toEqual({ ready: true });
    readiness.stopping();
    expect(readiness.state()).toEqual({ ready: false, reasons: ['stopping: final flush'] });
  });

  it(`is not ready while a shard's last ${READINESS_FAILURE_LIMIT} attempts all failed; one success clears it`, () => {
    const readiness = createReadiness();
    readiness.started();
    const events = readiness.observerFor('events');
    for (let i = 1; i < READINESS_FAILURE_LIMIT; i += 1) events.failed('shardId-1', i % 2 === 0 ? 'deliver' : 'get_records');
    expect(readiness.state()).toEqual({ ready: true });
    events.failed('shardId-1', 'checkpoint');
    expect(readiness.state()).toEqual({ ready: false, reasons: [`shard events/shardId-1: last ${READINESS_FAILURE_LIMIT} reads or writes failed`] });
    events.recordsRead('shardId-1', 0, 0);
    expect(readiness.state()).toEqual({ ready: true });
  });

  it('counts each shard on its own, and ignores failed shard re-lists', () => {
    const readiness = createReadiness(2);
    readiness.started();
    const events = readiness.observerFor('events');
    const bad = readiness.observerFor('events-bad');
    events.failed('shardId-1', 'get_records');
    bad.failed('shardId-1', 'get_records');
    for (let i = 0; i < 10; i += 1) events.failed(undefined, 'list_shards');
    expect(readiness.state()).toEqual({ ready: true });
    bad.failed('shardId-1', 'deliver');
    expect(readiness.state()).toMatchObject({ ready: false, reasons: ['shard events-bad/shardId-1: last 2 reads or writes failed'] });
    bad.shardEnded('shardId-1');
    expect(readiness.state()).toEqual({ ready: true });
  });
});
