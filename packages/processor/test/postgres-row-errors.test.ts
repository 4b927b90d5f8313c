import { describe, expect, it } from 'vitest';
import { columnNoRowFills, isRowDataError } from '../src/sinks/postgres-row-errors';

describe('which PostgreSQL errors the sink isolates as refused rows', () => {
  it('isolates refusals that depend only on the rows (classes 22, 23, 54)', () => {
    for (const code of ['22001', '22003', '22P02', '23502', '23505', '23514', '54000', '54001', '54023']) expect(isRowDataError({ code }), code).toBe(true);
  });

  it('never isolates connection, resource, lock, serialization, operator, access or internal errors (the flush is retried)', () => {
    const transient = ['08006', '08P01', '25P03', '40001', '40P01', '42501', '42703', '53100', '53200', '53300', '55P03', '57014', '57P01', '58030', 'XX000', 'P0001'];
    for (const code of transient) expect(isRowDataError({ code }), code).toBe(false);
    for (const error of [{ code: 'ECONNRESET' }, { code: 'EPIPE' }, new Error('Connection terminated unexpectedly'), null, undefined, '22001']) expect(isRowDataError(error)).toBe(false);
  });

  it('tells NOT NULL on a column the sink does not write (no row can satisfy it) from one on a column it writes (the row decides)', () => {
    const written = new Set(['app_id', 'user_id']);
    expect(columnNoRowFills({ code: '23502', column: 'tenant' }, written)).toBe('tenant');
    expect(columnNoRowFills({ code: '23502', column: 'user_id' }, written)).toBeUndefined();
    // A trigger raising not_null_violation names no column: the rows are isolated, as before.
    expect(columnNoRowFills({ code: '23502' }, written)).toBeUndefined();
    for (const code of ['23514', '23505', '23503', '22001']) expect(columnNoRowFills({ code, column: 'tenant' }, written), code).toBeUndefined();
  });
});
