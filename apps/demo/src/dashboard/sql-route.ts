import { openReadOnlyLake, QueryRefusedError, type ReadOnlyLake } from '@eventline/processor';
import { Hono } from 'hono';

const MAX_SQL_CHARS = 10_000;

/**
 * POST /api/sql { sql }: the dashboard's ad-hoc SQL box. One sandboxed, read-only DuckDB
 * connection (see the processor's openReadOnlyLake); queries run one at a time.
 */
export function sqlRoutes(lakeDir: string): { app: Hono; close: () => void } {
  let lake: Promise<ReadOnlyLake> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const getLake = (): Promise<ReadOnlyLake> =>
    (lake ??= openReadOnlyLake(lakeDir, { timeoutMs: 5_000, maxRows: 500 }).catch((error: unknown) => {
      lake = undefined; // try again on the next request
      throw error;
    }));

  const app = new Hono();
  app.post('/api/sql', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    const sql = typeof body === 'object' && body !== null ? (body as { sql?: unknown }).sql : undefined;
    if (typeof sql !== 'string' || sql.trim() === '') {
      return c.json({ error: { code: 'missing_sql', message: 'send {"sql": "<one SELECT statement>"}' } }, 400);
    }
    if (sql.length > MAX_SQL_CHARS) {
      return c.json({ error: { code: 'sql_too_long', message: `SQL is over ${MAX_SQL_CHARS} characters` } }, 400);
    }
    const run = async () => (await getLake()).query(sql);
    const next = queue.then(run, run);
    queue = next.catch(() => undefined); // the error is answered below; the queue moves on
    try {
      return c.json(await next);
    } catch (error) {
      if (error instanceof QueryRefusedError) return c.json({ error: { code: error.code, message: error.message } }, 400);
      // DuckDB's own message (syntax, unknown column, permission) is what the person needs.
      return c.json({ error: { code: 'sql_error', message: error instanceof Error ? error.message : String(error) } }, 400);
    }
  });
  return {
    app,
    close: () => {
      void lake?.then((l) => l.close());
    },
  };
}
