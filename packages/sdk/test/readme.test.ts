import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ASYNC_STORAGE_SHAPES } from './async-storage-shapes';

/** The README's examples are copy-pasted by users: they must be what the build makes and what the types accept. */
const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

function blocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

describe('README', () => {
  it('shows the snippet the build makes (dist/snippet.min.js), loading this version', () => {
    const [html] = blocks('html');
    const built = readFileSync(`${root}dist/snippet.min.js`, 'utf8').trim();
    expect(html?.split('\n')[1]).toBe(built.replace('SDK_URL', `https://cdn.example.com/eventline/${version}/eventline.iife.js`));
  });

  it.each(['v2', 'v3'] as const)('has TypeScript examples (npm, Node, React Native) that type-check against the entries (AsyncStorage %s)', (shape) => {
    const examples = blocks('ts');
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const files = new Map<string, string>(examples.map((code, i) => [`${root}readme-example-${i}.ts`, code]));
    // React Native itself is not installed here: AppState is loose; AsyncStorage has each major version's published type.
    files.set(`${root}readme-shims.d.ts`, "declare module 'react-native' { export const AppState: any; }\n" + ASYNC_STORAGE_SHAPES[shape]);
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      baseUrl: root,
      paths: { '@eventline/sdk': ['src/index.ts'], '@eventline/sdk/node': ['src/node.ts'], '@eventline/sdk/react-native': ['src/react-native.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (name) => files.get(name) ?? readFile(name);
    host.fileExists = (name) => files.has(name) || fileExists(name);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.has(d.file.fileName))
      .map((d) => `${d.file?.fileName.slice(root.length) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  }, 60_000);
});
