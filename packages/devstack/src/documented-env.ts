import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** `env.NAME`, `env['NAME']`, `process.env.NAME`: an environment variable read by name. */
const READ = /\benv(?:\.|\[\s*['"])([A-Z][A-Z0-9_]*)\b/g;
/** In config files, variables are also named as string literals handed to a parser (`int('PORT')`). */
const LITERAL = /['"]([A-Z][A-Z0-9_]{2,})['"]/g;

/**
 * The environment variables a package's source reads that its README does not mention as
 * `` `NAME` `` (or `` `NAME=…` ``): a config table that has drifted from the code. For tests.
 */
export function undocumentedEnvVars(srcDir: string, readmePath: string): string[] {
  const readme = readFileSync(readmePath, 'utf8');
  const names = new Set<string>();
  for (const file of readdirSync(srcDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const code = readFileSync(join(srcDir, file), 'utf8');
    for (const [, name] of code.matchAll(READ)) names.add(name ?? '');
    if (basename(file).startsWith('config')) for (const [, name] of code.matchAll(LITERAL)) names.add(name ?? '');
  }
  return [...names].filter((name) => name !== '' && !readme.includes(`\`${name}\``) && !readme.includes(`\`${name}=`)).sort();
}
