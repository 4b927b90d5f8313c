import { openLake, type Lake, type Row } from '@eventline/processor';
import { Hono } from 'hono';
import { DASHBOARD_QUERIES, type DashboardQuery } from './queries';

export type DashboardData = Record<DashboardQuery, Row[]> & { generated_at: string };

/**
 * GET /api/dashboard: every dashboard query in one answer. One DuckDB instance is kept open
 * and reused; queries run one after another (a DuckDB connection runs one statement at a time).
 */
export function dashboardRoutes(lakeDir: string): { app: Hono; close: () => void } {
  let lake: Promise<Lake> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined); // the caller gets the error; the queue moves on
    return next;
  };

  const app = new Hono();
  app.get('/api/dashboard', async (c) => {
    const data = await serial(async () => {
      lake ??= openLake(lakeDir).catch((error: unknown) => {
        lake = undefined; // try again on the next request
        throw error;
      });
      const open = await lake;
      const out: Partial<DashboardData> = { generated_at: new Date().toISOString() };
      for (const [name, sql] of Object.entries(DASHBOARD_QUERIES) as [DashboardQuery, string][]) {
        out[name] = await open.query(sql);
      }
      return out as DashboardData;
    });
    return c.json(data);
  });
  return {
    app,
    close: () => {
      void lake?.then((l) => l.close());
    },
  };
}
