import { createRequire } from 'node:module';

/**
 * @duckdb/node-api (1.5.x) decodes every VARCHAR (and JSON) value with one shared `new TextDecoder()`,
 * whose default treats a leading U+FEFF as a byte order mark and drops it: a lake value that is or
 * starts with U+FEFF (valid text, which the envelope accepts and the lake stores intact) read back
 * shorter, `"\uFEFF"` as `""`. Its string reader looks the decoder up on its module's exports at each
 * call, so one that keeps the mark (`ignoreBOM: true`) put there fixes every read. Returns whether the
 * decoder was found (a test fails should an upgrade move it; then check whether it still strips).
 */
export function keepLeadingBom(): boolean {
  const require = createRequire(import.meta.url);
  let accessors: { textDecoder?: unknown };
  try {
    accessors = require('@duckdb/node-api/lib/vectors/dataAccessors.js') as { textDecoder?: unknown };
  } catch {
    return false; // another layout: nothing to patch here
  }
  if (!(accessors.textDecoder instanceof TextDecoder)) return false;
  if (!accessors.textDecoder.ignoreBOM) accessors.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return true;
}
