import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the demo keeps its data. A relative EVENTLINE_DATA_DIR is resolved against INIT_CWD (where
 * `npm run demo` was typed; npm runs the workspace script in apps/demo/), else the current folder:
 * the same rule `npm run query` uses for LAKE_DIR, so both find the same lake.
 */
export function demoDataDir(env: NodeJS.ProcessEnv, repoRoot: string): string {
  const value = env.EVENTLINE_DATA_DIR;
  if (!value) return join(repoRoot, '.data');
  return resolve(env.INIT_CWD || process.cwd(), value);
}

/**
 * The `npm run query` line of the banner. The query CLI reads `<where you type it>/.data/lake` unless
 * LAKE_DIR says otherwise, so for any other lake (EVENTLINE_DATA_DIR) the line sets LAKE_DIR.
 */
export function queryHint(lakeDir: string, repoRoot: string): string {
  const command = 'npm run query -- "select event, count(*) from events group by all"';
  if (resolve(lakeDir) === resolve(repoRoot, '.data', 'lake')) return command;
  const quoted = /^[\w@%+=:,./-]+$/.test(lakeDir) ? lakeDir : `'${lakeDir.replaceAll("'", `'\\''`)}'`;
  return `LAKE_DIR=${quoted} ${command}`;
}

/**
 * Create the data folder, or say why it cannot be. One level at a time: Node's recursive mkdir
 * reports a folder it cannot create under a read-only parent as `ENOENT … mkdir` (naming neither
 * the parent nor the cause), and under /proc it never returns.
 */
export function ensureDataDir(dir: string): void {
  const missing: string[] = [];
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  try {
    for (const folder of missing) mkdirSync(folder);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const where = existing === dir ? `${dir} is not writable` : `its nearest existing parent ${existing} is not writable`;
    throw new Error(`cannot use the data folder ${dir}: ${where} (${code}); set EVENTLINE_DATA_DIR to a folder you can write`, { cause: error });
  }
}
