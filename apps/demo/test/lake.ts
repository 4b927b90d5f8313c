import { runQuery } from '@eventline/processor';

/** Poll the lake until `done` holds for the rows of `sql`, or fail with the last rows seen. */
export async function waitForLake<T>(lakeDir: string, sql: string, done: (rows: T[]) => boolean, timeoutMs = 30_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: T[] = [];
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      rows = (await runQuery(lakeDir, sql)) as T[];
      if (done(rows)) return rows;
    } catch (error) {
      lastError = error; // no files yet: keep polling
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lake did not reach the expected state in ${timeoutMs} ms; last rows ${JSON.stringify(rows)}; last error ${String(lastError)}`);
}
