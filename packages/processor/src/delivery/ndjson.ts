import { createGzip, gunzipSync, gzipSync } from 'node:zlib';

/**
 * One JSON value per line, gzip-compressed: what Athena, DuckDB and `zcat | jq` all read.
 * Level 6 is zlib's default; 1 compresses ~3× faster for files ~25 % larger (see the bench).
 */
export function encodeNdjsonGzip(values: readonly unknown[], level = 6): Uint8Array {
  const text = values.map((value) => JSON.stringify(value)).join('\n') + (values.length > 0 ? '\n' : '');
  return gzipSync(Buffer.from(text, 'utf8'), { level });
}

/** Serialised text handed to zlib at a time (one gzip stream per file, no flush between chunks). */
const CHUNK_CHARS = 64 * 1024;

/** A file being written line by line; `finish` resolves with the gzip bytes. */
export interface NdjsonGzipWriter {
  add(value: unknown): void;
  finish(): Promise<Uint8Array>;
}

/**
 * The same bytes as encodeNdjsonGzip, compressed on libuv's thread pool in chunks while the main
 * thread keeps serialising (and processing) the next lines: the event loop is never blocked for a
 * whole file. One deflate stream without intermediate flushes, so the output does not depend on
 * the chunking. Callers that add many values should yield to the event loop now and then, so
 * that zlib's completed chunks hand it the next ones.
 */
export function createNdjsonGzipWriter(level = 6): NdjsonGzipWriter {
  const gzip = createGzip({ level });
  const out: Buffer[] = [];
  let failure: Error | undefined;
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  // Recorded here and rethrown by finish(): the stream must not throw uncaught.
  gzip.on('error', (error) => (failure ??= error));
  let text = '';
  return {
    add(value) {
      text += JSON.stringify(value) + '\n';
      if (text.length < CHUNK_CHARS) return;
      gzip.write(text);
      text = '';
    },
    async finish() {
      await new Promise<void>((resolve, reject) => {
        if (failure !== undefined) reject(failure);
        gzip.once('end', resolve);
        gzip.once('error', reject);
        gzip.end(text);
      });
      return Buffer.concat(out);
    },
  };
}

/** encodeNdjsonGzip off the main thread (see createNdjsonGzipWriter). */
export async function gzipNdjson(values: readonly unknown[], level = 6): Promise<Uint8Array> {
  const writer = createNdjsonGzipWriter(level);
  for (let i = 0; i < values.length; i += 1) {
    writer.add(values[i]);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
  }
  return writer.finish();
}

/** Lines (≈ one chunk of ~500-byte rows) between two turns of the event loop. */
export const YIELD_EVERY = 128;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function decodeNdjsonGzip(bytes: Uint8Array): unknown[] {
  const text = gunzipSync(bytes).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
