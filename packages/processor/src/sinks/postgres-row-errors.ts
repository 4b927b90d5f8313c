/**
 * SQLSTATE classes of an INSERT that PostgreSQL refuses for what the statement carries — a row's
 * values, or the statement's size — and so refuses alike on every retry: the sink then finds the
 * refused rows (halving the statement) and writes the others, instead of failing the flush for ever.
 *
 * - 22 data_exception: a value out of range, text PostgreSQL cannot read.
 * - 23 integrity_constraint_violation: a CHECK, NOT NULL or unique index someone added (the
 *   (app_id, event_id) key itself is ON CONFLICT DO NOTHING).
 * - 54 program_limit_exceeded: a value over one of PostgreSQL's fixed limits, e.g. a long page_url
 *   in someone's btree index (54000 "index row size … exceeds btree … maximum 2704"), a statement
 *   too complex or with too many parameters (halving shortens it).
 *
 * Never isolated (the flush fails and is retried: the next try may pass, or the table is wrong for
 * every row alike): 08 connection, 25 transaction state, 40 serialization / deadlock, 42 syntax or
 * access (privileges, a missing column: every row would fail), 53 resources (disk, memory,
 * connections), 55 lock not available, 57 operator intervention (cancel, shutdown, timeouts), 58
 * system, XX internal, and a trigger's RAISE (P0001, which may mean anything: a trigger that refuses
 * a row should raise a class 22/23 SQLSTATE, `USING ERRCODE = 'check_violation'`).
 */
const ROW_DATA_CLASSES = ['22', '23', '54'] as const;

/** PostgreSQL refused the statement for its rows' own values or size; a retry would fail the same way. */
export function isRowDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && ROW_DATA_CLASSES.some((c) => code.startsWith(c));
}
