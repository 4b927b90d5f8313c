/** Slabs start small (a file may hold a single row) and double up to this. */
const FIRST_SLAB_BYTES = 4 * 1024;
const MAX_SLAB_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/**
 * UTF-8 bytes of many short strings, as views into shared slabs. The Parquet writer otherwise
 * calls `TextEncoder.encode` once per string value, and each call allocates its own buffer: that
 * was a fifth of the writer's time. ASCII (nearly all of an event's text) is copied by a loop;
 * other text goes through `TextEncoder`, so the bytes are always what it writes (a lone
 * surrogate becomes U+FFFD).
 */
export class Utf8Slab {
  private slab = new Uint8Array(FIRST_SLAB_BYTES);
  private used = 0;

  encode(text: string): Uint8Array {
    const length = text.length;
    if (this.used + length > this.slab.length) {
      if (length > MAX_SLAB_BYTES / 4) return encoder.encode(text);
      this.slab = new Uint8Array(Math.min(MAX_SLAB_BYTES, Math.max(2 * this.slab.length, length)));
      this.used = 0;
    }
    const slab = this.slab;
    const start = this.used;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return encoder.encode(text); // the bytes written so far are overwritten later
      slab[start + i] = c;
    }
    this.used = start + length;
    return slab.subarray(start, start + length);
  }
}
