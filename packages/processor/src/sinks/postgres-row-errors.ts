/**
 * SQLSTATE classes of an INSERT that PostgreSQL refuses for what the statement carries — a row's
 * values, or the statement's size — and so refuses alike on every retry: the sink then finds the
 * refused rows (halving the statement) and writes the others, instead of failing the flush for ever.
 *
 * - 22 data_exception: a value out of range, text PostgreSQL cannot read.
 * - 23 integrity_constraint_violation: a CHECK, NOT NULL or unique index someone added (the
 *   (app_id, event_id) key itself is ON CONFLICT DO NOTHING). Not NOT NULL on a plain column the
 *   sink does not write, of a table without a BEFORE INSERT row trigger: no row's values can pass it
 *   (`columnNoRowFills`, then `rowMayFillColumn`), the flush fails.
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

/**
 * The column of a refusal no row's own values may cause, or undefined: NOT NULL (23502) on a column
 * the sink does not write (the catalog then says whether the row may fill it after all, a generated
 * column or a BEFORE trigger's, see rowMayFillColumn) — say `ADD COLUMN tenant text NOT NULL DEFAULT 'shop'`, then `DROP DEFAULT`,
 * or `loaded_at`'s default dropped. Every row is refused alike: isolating them turned each into a bad
 * row and the flush "succeeded" with nothing in the table. Such a refusal fails the flush instead, as
 * a missing column (42703) does. A refusal on a column the sink writes depends on the row (its value
 * is null or not) and is isolated; so is every other class 23 refusal, even when it refuses every row
 * of a flush: events come from clients, and a flush of bad rows alone (one row, or one client's burst)
 * must not hold its shard.
 */
export function columnNoRowFills(error: unknown, writtenColumns: ReadonlySet<string>): string | undefined {
  const { code, column } = (error ?? {}) as { code?: unknown; column?: unknown };
  if (code !== '23502' || typeof column !== 'string') return undefined;
  return writtenColumns.has(column) ? undefined : column;
}

/** PostgreSQL refuses every row for the table's definition, not for their values: the flush fails and is retried. */
export class PostgresTableRefusalError extends Error {
  constructor(table: string, column: string, cause: unknown) {
    super(
      `PostgreSQL refuses every row of ${table}: its column "${column}" is NOT NULL without a default, and the processor does not write it ` +
        `(SQLSTATE 23502). Give "${column}" a DEFAULT, allow NULL, or drop it; the flush is retried until then, its shard waiting`,
      { cause },
    );
    this.name = 'PostgresTableRefusalError';
  }
}
