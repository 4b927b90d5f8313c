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
 * Parse `INGEST_WRITE_KEYS`: `key=app_id` or `sha256:<hex>=app_id` entries, separated by commas or
 * line breaks (a secret manager's value often holds one a line: read as one entry, it made one key of
 * two and neither worked). Hashed entries let operators keep plain keys out of their config entirely.
 * Errors never quote a key.
 */
export function parseWriteKeys(spec: string): WriteKeyEntry[] {
  const entries: WriteKeyEntry[] = [];
  const appOf = new Map<string, string>();
  for (const [i, part] of spec.split(/[,\r\n]+/).map((p) => p.trim()).filter(Boolean).entries()) {
    const entry = `INGEST_WRITE_KEYS entry ${i + 1}`;
    const eq = part.lastIndexOf('=');
    const key = part.slice(0, Math.max(eq, 0)).trim();
    const appId = part.slice(eq + 1).trim();
    if (eq <= 0 || key === '' || !isAppId(appId)) {
      throw new Error(`${entry}: expected "key=app_id" with app_id of letters, digits, _ or -`);
    }
    if (key.includes(';')) throw new Error(`${entry}: separate entries with commas or line breaks, not ";" (it made one key of two)`);
    const hashed = /^sha256:/i.test(key);
    if (!hashed && /^sha-?256[^a-z0-9:]?[0-9a-f]{64}$/i.test(key)) throw new Error(`${entry}: write a hashed key as "sha256:<64 hex digits>=app_id" (this one was taken as a plain key)`);
    const hash = hashed ? key.slice(7).toLowerCase() : hashWriteKey(key);
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${entry}: sha256 hash must be 64 hex digits`);
    const earlier = appOf.get(hash);
    // One key, two apps: every event sent with it went to the last one listed.
    if (earlier !== undefined && earlier !== appId) throw new Error(`${entry}: the same key is already given for app "${earlier}": a key names one app, give "${appId}" a key of its own`);
    if (earlier !== undefined) continue;
    appOf.set(hash, appId);
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
