import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatTable } from './format-table';
import { runQuery } from './lake';

/**
 * `query "<sql>"`: run SQL over the lake and print a table. The lake is LAKE_DIR, else `.data/lake`,
 * a relative path resolved against INIT_CWD or cwd (npm sets INIT_CWD to where `npm run` was typed,
 * and runs the script in the package folder).
 */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const sql = argv.join(' ').trim();
  if (sql === '' || sql === '--help' || sql === '-h') {
    process.stderr.write('usage: eventline-query "select count(*) from events"   (views: events, bad_rows; in this repository: npm run query -- "<sql>")\n');
    return sql === '' ? 2 : 0;
  }
  const lakeDir = resolve(env.INIT_CWD ?? process.cwd(), env.LAKE_DIR || '.data/lake');
  if (!existsSync(join(lakeDir, 'events'))) process.stderr.write(`note: no events in the lake yet at ${lakeDir}\n`);
  try {
    const rows = await runQuery(lakeDir, sql);
    process.stdout.write(formatTable(rows) + '\n');
    return 0;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    process.stderr.write(`query failed (lake ${lakeDir}): ${message}\n`);
    return 1;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`query crashed: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
