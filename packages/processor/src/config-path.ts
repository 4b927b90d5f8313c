import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optional } from './config-value';

/**
 * A folder or file variable (LAKE_DIR, CHECKPOINT_FILE, …), resolved against `cwd`; unset gives
 * `fallback`. A value only a shell or another tool reads as meant is a problem: `~/lake` from an env
 * file (Docker's --env-file, systemd's EnvironmentFile, a .env: none expands `~`) and `s3://lake/x`
 * were both taken as relative paths and made a folder `~` or `s3:` in the working directory.
 */
export function readLocalPath(env: NodeJS.ProcessEnv, name: string, fallback: string, cwd: string, problems: string[]): string {
  const raw = optional(env[name]);
  if (raw === undefined) return resolve(cwd, fallback);
  const problem = localPathProblem(raw);
  if (problem !== undefined) problems.push(`${name} must be a local path, got "${raw}": ${problem}`);
  return resolve(cwd, raw);
}

function localPathProblem(value: string): string | undefined {
  if (/^~[^/]*(\/|$)/.test(value)) {
    return `"~" is expanded by a shell, not here: write the full path${value.startsWith('~/') || value === '~' ? `, e.g. "${homedir()}${value.slice(1)}"` : ''}`;
  }
  if (/^file:\/\//i.test(value)) {
    try {
      return `write the path "${fileURLToPath(value)}", not a file URL`;
    } catch {
      return 'write the path, not a file URL';
    }
  }
  if (/^s3:\/\//i.test(value)) return 'the lake on S3 is S3_BUCKET and S3_PREFIX';
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(value)) return 'write a path, not a URL';
  return undefined;
}
