export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** One JSON object per line on stderr; stdout stays free for the ready line and query output. */
export const stderrLogger: Logger = (level, msg, fields = {}) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
};

/** Levels of causes / inner errors followed: a cause of a cause of … is cut at three levels. */
const MAX_ERROR_DEPTH = 2;

/** Distinct kinds of inner errors listed per aggregate; the rest are counted in `error_kinds_omitted`. */
const MAX_ERROR_KINDS = 5;

/**
 * An error as loggable fields (name, message, AWS error code when there is one). An AggregateError
 * (several files of a flush failed) also lists what its inner errors were — the first one's message
 * and each distinct name/code with a count and an example message — and an error with a `cause`
 * carries the cause's fields: its own message alone ("3 of 3 files failed to write", "final flush
 * failed") does not say whether S3 throttled or the disk is full.
 */
export function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = codeOf(error);
  const out: Record<string, unknown> = { error: error.message, error_name: error.name, ...(code === undefined ? {} : { error_code: code }) };
  if (depth >= MAX_ERROR_DEPTH) return out;
  if (error instanceof AggregateError && error.errors.length > 0) Object.assign(out, innerErrors(error.errors));
  if (error.cause !== undefined) out.cause = errorFields(error.cause, depth + 1);
  return out;
}

/**
 * An error's message with what it wraps: a delivery's own message ("2 of 2 files failed to write")
 * does not say why, its first inner error or its cause does (errorFields' walk, as one line).
 */
export function errorReason(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  if (depth >= MAX_ERROR_DEPTH) return error.message;
  const inner = error instanceof AggregateError ? (error.errors as unknown[])[0] : error.cause;
  return inner === undefined ? error.message : `${error.message} (${errorReason(inner, depth + 1)})`;
}

function codeOf(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { Code?: unknown }).Code ?? (error as { code?: unknown }).code;
}

/** The first inner error's message, and the inner errors grouped by name and code (messages hold paths and keys, so they differ each time). */
function innerErrors(errors: readonly unknown[]): Record<string, unknown> {
  const kinds = new Map<string, { error_name: string; error_code?: unknown; count: number; example: string }>();
  for (const inner of errors) {
    const name = inner instanceof Error ? inner.name : typeof inner;
    const code = codeOf(inner);
    const key = `${name}\u0000${String(code)}`;
    const kind = kinds.get(key);
    if (kind) kind.count += 1;
    else kinds.set(key, { error_name: name, ...(code === undefined ? {} : { error_code: code }), count: 1, example: messageOf(inner) });
  }
  const listed = [...kinds.values()].sort((a, b) => b.count - a.count);
  return {
    first_error: messageOf(errors[0]),
    error_kinds: listed.slice(0, MAX_ERROR_KINDS),
    ...(listed.length > MAX_ERROR_KINDS ? { error_kinds_omitted: listed.length - MAX_ERROR_KINDS } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
