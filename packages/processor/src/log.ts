export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** One JSON object per line on stderr; stdout stays free for the ready line and query output. */
export const stderrLogger: Logger = (level, msg, fields = {}) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
};

/** An error as loggable fields (name, message, AWS error code when there is one). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { Code?: unknown; code?: unknown }).Code ?? (error as { code?: unknown }).code;
  return { error: error.message, error_name: error.name, ...(code === undefined ? {} : { error_code: code }) };
}
