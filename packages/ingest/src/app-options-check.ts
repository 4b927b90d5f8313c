import { isAppId } from '@eventline/schemas';
import type { AppOptions } from './app';
import { IP_MODES } from './http/client-ip';
import { originPatternProblem } from './http/origins';
import { burstWithoutRate, crossProblems, type CrossChecked, namesLeftOut, OPTION_NAMES, rangeWords, SETTING_RANGES, shown } from './option-checks';

/** What createApp takes for an option left out (the entries always pass each). */
export const APP_OPTION_DEFAULTS = {
  maxDecompressedBytes: 8 * 1024 * 1024,
  maxBatchEvents: 500,
  maxSegmentBatchEvents: 1000,
  maxDepth: 256,
  maxParsingBytes: 128 * 1024 * 1024,
} as const;

/**
 * Every problem with createApp's options, by the rules `loadConfig` holds the environment to (ranges,
 * the answer bound, stream names, write keys, origins): an app built as a library must refuse what the
 * entries refuse at start. Each problem names the option (`options.maxSegmentBatchEvents`). The rates
 * may be fractions here (the token buckets take them; the environment has no way to write one).
 */
export function appOptionsProblems(options: AppOptions): string[] {
  const problems: string[] = [];
  const given = {
    streamName: options.streamName,
    badRowsStreamName: options.badRowsStreamName,
    maxBodyBytes: options.maxBodyBytes,
    maxDecompressedBytes: options.maxDecompressedBytes ?? APP_OPTION_DEFAULTS.maxDecompressedBytes,
    maxBatchEvents: options.maxBatchEvents ?? APP_OPTION_DEFAULTS.maxBatchEvents,
    maxSegmentBatchEvents: options.maxSegmentBatchEvents ?? APP_OPTION_DEFAULTS.maxSegmentBatchEvents,
  };
  // Each value that has a problem of its own is left out of the checks across settings (they skip it); the rest are weighed.
  const limits: CrossChecked = {};
  for (const key of ['maxBodyBytes', 'maxDecompressedBytes', 'maxBatchEvents', 'maxSegmentBatchEvents'] as const) {
    if (checkNumber(problems, key, given[key], true)) limits[key] = given[key];
  }
  checkNumber(problems, 'maxEventBytes', options.maxEventBytes, true);
  if (options.maxParsingBytes !== undefined) checkNumber(problems, 'maxParsingBytes', options.maxParsingBytes, true);
  for (const key of ['streamName', 'badRowsStreamName'] as const) {
    const name: unknown = given[key];
    if (typeof name === 'string') limits[key] = name;
    else problems.push(`options.${key} must be a Kinesis stream name, got ${shown(name)}`);
  }
  const leftOut = Object.fromEntries(Object.entries(APP_OPTION_DEFAULTS).filter(([key]) => key in OPTION_NAMES && options[key as keyof AppOptions] === undefined));
  problems.push(...crossProblems(limits, namesLeftOut(OPTION_NAMES, leftOut)));
  for (const [rate, burst] of [['rateLimitPerSecond', 'rateLimitBurst'], ['clientRateLimitPerSecond', 'clientRateLimitBurst']] as const) {
    const perSecond = options[rate] ?? 0;
    checkNumber(problems, rate, perSecond, false);
    // With the limit off, the entries pass a burst of 0 (twice the rate); any other burst was meant for a limit.
    if (perSecond === 0 && options[burst] !== undefined && options[burst] !== 0) problems.push(burstWithoutRate(OPTION_NAMES[burst], OPTION_NAMES[rate]));
    if (typeof perSecond === 'number' && perSecond > 0 && options[burst] !== undefined) checkNumber(problems, burst, options[burst], false);
  }
  if (options.ipMode !== undefined && !IP_MODES.includes(options.ipMode)) problems.push(`options.ipMode must be anonymize, full or none, got ${shown(options.ipMode)}`);
  for (const key of ['metrics', 'logAllRequests'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') problems.push(`options.${key} must be true or false, got ${shown(options[key])}`);
  }
  const appIds = writeKeyProblems(problems, options.writeKeys);
  allowedOriginProblems(problems, options.allowedOrigins, appIds);
  return problems;
}

/** Whether `value` is in `key`'s range; if not, its problem is listed. */
function checkNumber(problems: string[], key: keyof typeof SETTING_RANGES, value: unknown, integer: boolean): boolean {
  const { min, max = Number.MAX_SAFE_INTEGER }: { min: number; max?: number } = SETTING_RANGES[key];
  const fits = typeof value === 'number' && (integer ? Number.isInteger(value) : Number.isFinite(value)) && value >= min && value <= max;
  if (!fits) problems.push(`${OPTION_NAMES[key]} must be ${integer ? 'an integer' : 'a number'} ${rangeWords(min, max)}, got ${shown(value)}`);
  return fits;
}

/**
 * The rules of INGEST_WRITE_KEYS for entries given as objects (`parseWriteKeys`' or your own): at least
 * one (fail closed), an app id of 1–128 `[A-Za-z0-9_-]`, a hash as `hashWriteKey` writes it (64 lower-case
 * hex digits: any other never matches a key, so every request was 401), one app per key. The app ids.
 */
function writeKeyProblems(problems: string[], entries: unknown): string[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    problems.push('options.writeKeys: at least one write key is required (fail closed)');
    return [];
  }
  const appOf = new Map<string, string>();
  for (const [i, entry] of (entries as unknown[]).entries()) {
    const { hash, appId } = (entry ?? {}) as { hash?: unknown; appId?: unknown };
    const at = `options.writeKeys[${i}]`;
    if (typeof appId !== 'string' || !isAppId(appId)) problems.push(`${at}.appId must be 1–128 letters, digits, _ or -, got ${shown(appId)}`);
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) problems.push(`${at}.hash must be the key's sha256 as 64 lower-case hex digits (hashWriteKey(key)); it never matched a key`);
    if (typeof hash !== 'string' || typeof appId !== 'string') continue;
    const earlier = appOf.get(hash);
    // One key, two apps: every event sent with it would go to one of them.
    if (earlier !== undefined && earlier !== appId) problems.push(`${at}: the same key is already given for app "${earlier}": a key names one app, give "${appId}" a key of its own`);
    if (earlier === undefined) appOf.set(hash, appId);
  }
  return [...new Set(appOf.values())];
}

/** The rules of INGEST_ALLOWED_ORIGINS: apps that have a key, at least one pattern each, each one a browser's Origin can equal. */
function allowedOriginProblems(problems: string[], allowed: unknown, appIds: readonly string[]): void {
  if (allowed === undefined) return;
  if (allowed === null || typeof allowed !== 'object' || Array.isArray(allowed)) {
    problems.push('options.allowedOrigins must be an object of origin patterns per app id');
    return;
  }
  for (const [appId, patterns] of Object.entries(allowed)) {
    const at = `options.allowedOrigins[${JSON.stringify(appId)}]`;
    if (!appIds.includes(appId)) problems.push(`${at}: no app "${appId.slice(0, 64)}" in options.writeKeys`);
    if (!Array.isArray(patterns) || patterns.length === 0 || !patterns.every((p) => typeof p === 'string')) {
      problems.push(`${at} must be a non-empty array of origin patterns`);
      continue;
    }
    const problem = patterns.map(originPatternProblem).find((p) => p !== undefined);
    if (problem !== undefined) problems.push(`${at}: ${problem}`);
  }
}
