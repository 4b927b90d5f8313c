// Minifies snippet/loader.js into dist/snippet.min.js (the README shows how to paste it).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const source = readFileSync(new URL('../snippet/loader.js', import.meta.url), 'utf8');
const { code } = await minify(source, { ecma: 5, compress: { passes: 2 }, format: { comments: false } });
if (!code) throw new Error('snippet: terser produced no code');
mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/snippet.min.js', import.meta.url), `${code}\n`);
console.log(`snippet.min.js: ${code.length} B`);
