/**
 * A log record for an error nothing caught (uncaughtException / unhandledRejection): its name, its
 * message cut at 300 characters and at most 10 stack frames. No request data is reachable from here,
 * and the message is cut so that whatever text an error quotes cannot fill the log.
 */
export function fatalErrorRecord(kind: 'uncaughtException' | 'unhandledRejection', error: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = { level: 'error', msg: 'fatal error, shutting down', kind };
  if (!(error instanceof Error)) return { ...record, error: String(error).slice(0, 300) };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 10)
    .map((line) => line.trim());
  return { ...record, error: error.name, message: error.message.slice(0, 300), stack: frames };
}
