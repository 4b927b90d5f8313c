import { createHash, timingSafeEqual } from 'node:crypto';
import { isAppId } from '@eventline/schemas';
import { originPatternProblem } from './http/origins';

export interface WriteKeyEntry {
  /**
   * sha256 of the write key, hex: lookups use only this. A plain key given in INGEST_WRITE_KEYS still
   * stays in the process environment (process.env, /proc/<pid>/environ); `sha256:` entries avoid that.
   */
  hash: string;
  appId: string;
}

export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parse `INGEST_WRITE_KEYS`: comma-separated `key=app_id` or `sha256:<hex>=app_id` entries.
 * Hashed entries let operators keep plain keys out of their config entirely.
 */
export function parseWriteKeys(spec: string): WriteKeyEntry[] {
  const entries: WriteKeyEntry[] = [];
  for (const [i, part] of spec.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const eq = part.lastIndexOf('=');
    const key = part.slice(0, eq);
    const appId = part.slice(eq + 1);
    if (eq <= 0 || !isAppId(appId)) {
      throw new Error(`INGEST_WRITE_KEYS entry ${i + 1}: expected "key=app_id" with app_id of letters, digits, _ or -`);
    }
    const hash = key.startsWith('sha256:') ? key.slice(7).toLowerCase() : hashWriteKey(key);
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`INGEST_WRITE_KEYS entry ${i + 1}: sha256 hash must be 64 hex digits`);
    entries.push({ hash, appId });
  }
  if (entries.length === 0) throw new Error('INGEST_WRITE_KEYS: at least one write key is required (fail closed)');
  return entries;
}

/**
 * Parse `INGEST_ALLOWED_ORIGINS`: `app_id=pattern|pattern;app_id=pattern`, e.g.
 * `shop=https://shop.example|http://127.0.0.1:*;blog=*`. Apps not listed accept no browser origin.
 */
export function parseAllowedOrigins(spec: string, appIds: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of spec.split(';').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const appId = part.slice(0, eq).trim();
    if (eq <= 0 || !appIds.includes(appId)) {
      throw new Error(`INGEST_ALLOWED_ORIGINS: "${part.slice(0, 64)}" must be app_id=pattern|pattern for an app_id in INGEST_WRITE_KEYS`);
    }
    const patterns = part.slice(eq + 1).split('|').map((p) => p.trim()).filter(Boolean);
    const problem = patterns.map(originPatternProblem).find((p) => p !== undefined);
    if (problem || patterns.length === 0) throw new Error(`INGEST_ALLOWED_ORIGINS for ${appId}: ${problem ?? 'no origin given'}`);
    out[appId] = [...(out[appId] ?? []), ...patterns];
  }
  return out;
}

/** Look a presented key up by its hash, comparing in constant time. */
export function createKeyLookup(entries: WriteKeyEntry[]): (key: string) => WriteKeyEntry | undefined {
  const byHash = new Map(entries.map((e) => [e.hash, e]));
  return (key) => {
    const hash = hashWriteKey(key);
    const found = byHash.get(hash);
    if (!found) return undefined;
    return timingSafeEqual(Buffer.from(found.hash, 'hex'), Buffer.from(hash, 'hex')) ? found : undefined;
  };
}
