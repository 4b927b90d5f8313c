import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SDK_VERSION } from '../src/core/version';

const SRC = join(import.meta.dirname, '..', 'src');
const GLOBALS = /(?<![.\w$])(globalThis|window|self|document|navigator|location|screen|localStorage|sessionStorage|fetch|crypto|btoa|atob|XMLHttpRequest|devicePixelRatio)(?![\w$]|\s*[?]?:)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Source without comments and string literals, so only code is checked. */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, "''");
}

describe('architecture', () => {
  it('only platform/browser/global-scope.ts reads runtime globals', () => {
    const offenders = files(SRC)
      .filter((f) => !f.endsWith(join('platform', 'browser', 'global-scope.ts')))
      .flatMap((f) => {
        const match = GLOBALS.exec(code(f));
        return match ? [`${relative(SRC, f)}: ${match[1]}`] : [];
      });
    expect(offenders).toEqual([]);
  });

  it('the global check does catch a global read', () => {
    expect(GLOBALS.test("const x = window.location.href")).toBe(true);
    expect(GLOBALS.test('const f = fetch(url)')).toBe(true);
    expect(GLOBALS.test('context.screen = s; type T = { location?: string }')).toBe(false);
  });

  it('imports only types from @eventline/schemas (the validator must not ship)', () => {
    const offenders = files(SRC).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => line.includes("from '@eventline/schemas'") && !/^\s*(import|export) type /.test(line))
        .map((line) => `${relative(SRC, f)}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('sends the package version as context.library.version', () => {
    const pkg = JSON.parse(readFileSync(join(SRC, '..', 'package.json'), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
