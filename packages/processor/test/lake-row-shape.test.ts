import { LAKE_COLUMNS } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { processRecords } from '../src';
import { record, storedEvent } from './fixtures/events';

describe('lake rows', () => {
  it('all have every catalog column as an own key, in one order (one hidden class), absent ones undefined', () => {
    const { rows } = processRecords([record(storedEvent()), record(storedEvent({ type: 'identify', event: undefined, traits: { plan: 'pro' } }))]);
    expect(rows).toHaveLength(2);
    const [a, b] = rows.map((row) => Object.keys(row));
    expect(new Set(a)).toEqual(new Set(LAKE_COLUMNS.map((column) => column.name)));
    expect(a).toHaveLength(LAKE_COLUMNS.length);
    expect(b).toEqual(a);
    // Absent columns do not reach NDJSON lines.
    expect(Object.keys(JSON.parse(JSON.stringify(rows[0])) as object).length).toBeLessThan(LAKE_COLUMNS.length);
  });
});
