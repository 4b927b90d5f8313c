import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { nestingDepth } from '@eventline/schemas';
import { RequestRejectedError } from '../errors';
import type { ParseBudget } from './parse-budget';
import { countStructuralTokens, DENSITY_FLOOR_TOKENS, DENSITY_TOKENS_PER_COMPRESSED_BYTE, maxStructuralTokens } from './inflated-density';

const gunzipAsync = promisify(gunzip);
/** Strict UTF-8 (throws on bad bytes); one instance serves every request (no stream state is kept). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export interface BodyLimits {
  /** Largest body after gzip decompression (the gzip-bomb guard). */
  maxDecompressedBytes: number;
  /**
   * The plain-body limit (INGEST_MAX_BODY_BYTES). Inflated bytes up to it cost no more to parse than a plain body
   * the ingest takes, so the density guard counts only the bytes past it: a body taken plain is taken gzipped.
   */
  maxBodyBytes: number;
  /** Deepest nesting of arrays and objects in the whole body (a stack guard; events have their own, lower limit). */
  maxDepth: number;
  /** Added to the 413 message when the cap above is a lowered one (what the client can do about it). */
  hint?: string;
  /** Bytes being decoded and parsed across requests (INGEST_MAX_PARSING_BYTES); absent: unbounded. */
  budget?: ParseBudget;
}

/** A lower inflate cap for one read (a gzip body read for its key before auth), and what to tell the client past it. */
export interface BodyCap {
  maxDecompressedBytes: number;
  hint: string;
}

/** The body's JSON value and how deeply it nests (≤ the body limit). */
export interface ParsedBody {
  value: unknown;
  depth: number;
}

/**
 * Turn the raw request bytes into a JSON value, whatever the content type (`application/json`,
 * `text/plain` from sendBeacon, none): gunzip with an output cap, strict UTF-8, JSON, nesting depth.
 * Every failure is a RequestRejectedError with a status and a reason.
 */
export async function parseBody(raw: Uint8Array, contentEncoding: string | undefined, limits: BodyLimits): Promise<ParsedBody> {
  const hold = budgetHold(limits.budget);
  try {
    const bytes = await decode(raw, (contentEncoding ?? '').trim().toLowerCase(), limits, hold);
    return parseText(bytes, limits.maxDepth);
  } finally {
    // The buffer and its string are garbage once parsed; what the parse built is bounded by the density guard.
    hold.releaseAll();
  }
}

function parseText(bytes: Uint8Array, maxDepth: number): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new RequestRejectedError(400, 'invalid_encoding', `body is not valid UTF-8 (${reasonOf(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestRejectedError(400, 'invalid_json', `body is not valid JSON: ${reasonOf(error)}`);
  }
  const depth = nestingDepth(value, maxDepth);
  if (depth > maxDepth) {
    throw new RequestRejectedError(400, 'too_deep', `body nests arrays/objects deeper than ${maxDepth} levels`);
  }
  return { value, depth };
}

/** Whether a `Content-Encoding` header value names gzip (the one compression the ingest inflates). */
export function isGzip(contentEncoding: string | undefined): boolean {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  return encoding === 'gzip' || encoding === 'x-gzip';
}

async function decode(raw: Uint8Array, encoding: string, limits: BodyLimits, hold: BudgetHold): Promise<Uint8Array> {
  const { maxDecompressedBytes: maxBytes, hint } = limits;
  if (encoding === '' || encoding === 'identity') {
    hold.take(raw.byteLength);
    return raw;
  }
  if (!isGzip(encoding)) {
    throw new RequestRejectedError(415, 'unsupported_encoding', `Content-Encoding "${encoding.slice(0, 32)}" is not supported; use gzip or none`);
  }
  // The size the gzip trailer declares is held first; a body inflating past it (several gzip members, or a lie) holds the cap and is inflated again.
  const declared = Math.min(Math.max(gzipDeclaredSize(raw), 1), maxBytes);
  hold.take(declared);
  let inflated = await inflate(raw, declared);
  if (inflated === undefined && declared < maxBytes) {
    hold.take(maxBytes - declared);
    inflated = await inflate(raw, maxBytes);
  }
  if (inflated === undefined) throw new RequestRejectedError(413, 'decompressed_too_large', `gzip body inflates past the ${maxBytes}-byte limit${hint ? `; ${hint}` : ''}`);
  checkDensity(inflated.subarray(limits.maxBodyBytes), raw.byteLength, limits.maxBodyBytes);
  return inflated;
}

/** The inflated bytes, or undefined past `outputCap`. */
async function inflate(raw: Uint8Array, outputCap: number): Promise<Buffer | undefined> {
  try {
    return await gunzipAsync(raw, { maxOutputLength: outputCap });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw new RequestRejectedError(400, 'invalid_encoding', `body is not valid gzip (${reasonOf(error)})`);
  }
}

/** ISIZE, the last 4 bytes of a gzip member: its inflated size mod 2^32 (exact under the cap); 0 for a body too short to have one. */
function gzipDeclaredSize(raw: Uint8Array): number {
  if (raw.byteLength < 18) return 0;
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(raw.byteLength - 4, true);
}

interface BudgetHold {
  /** Holds `bytes` more for this request, or throws 503 `parsing_busy` when the budget has no room. */
  take(bytes: number): void;
  releaseAll(): void;
}

function budgetHold(budget: ParseBudget | undefined): BudgetHold {
  let taken = 0;
  let held = 0;
  return {
    take(bytes) {
      if (budget === undefined) return;
      taken += bytes;
      // Small bodies are not held (parse-budget.ts); once past that, all the body takes is held.
      if (taken <= budget.freeBytes) return;
      bytes = taken - held;
      if (!budget.tryHold(bytes)) {
        throw new RequestRejectedError(503, 'parsing_busy', 'the server is parsing as many bodies as it holds memory for (INGEST_MAX_PARSING_BYTES); retry after Retry-After', undefined, 1);
      }
      held += bytes;
    },
    releaseAll() {
      budget?.release(held);
      held = 0;
      taken = 0;
    },
  };
}

/** The amplification guard (inflated-density.ts) on the inflated bytes past the plain-body limit: refused before the bytes become a string and values. */
function checkDensity(pastPlainLimit: Uint8Array, compressedBytes: number, plainLimit: number): void {
  const limit = maxStructuralTokens(compressedBytes);
  if (countStructuralTokens(pastPlainLimit, limit) <= limit) return;
  throw new RequestRejectedError(
    413,
    'too_many_values',
    `gzip body of ${compressedBytes} bytes inflates, past its first ${plainLimit} bytes (INGEST_MAX_BODY_BYTES), to more than ${limit} JSON values ({, [ and , counted; at most ${DENSITY_FLOOR_TOKENS} or ${DENSITY_TOKENS_PER_COMPRESSED_BYTE} per compressed byte): send smaller batches (one inflating to at most ${plainLimit} bytes is never refused for this)`,
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unreadable';
}
