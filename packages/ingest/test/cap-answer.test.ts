import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter, type BatchResponse } from '../src';
import { ANSWER_ISSUES_MAX_BYTES } from '../src/cap-answer';
import { ISSUES_MAX_JSON_BYTES } from '../src/cap-issues';
import { batch, decode, event, gzip, post, testApp } from './helpers';

/** The audit's request: 500 events, each with 20 unknown top-level fields named by 780 characters (~48 KB gzipped). */
function wideEvents(): Record<string, unknown>[] {
  return Array.from({ length: 500 }, (_, i) => {
    const e: Record<string, unknown> = { event_id: randomUUID(), type: 'track', event: 'x', anonymous_id: 'd', seq: i, client_ts: new Date().toISOString(), context: {} };
    for (let k = 0; k < 20; k++) e[`f${k}_${'p'.repeat(780)}`] = 0;
    return e;
  });
}

describe("the answer's issues, all events together", () => {
  it('stay within 1 MiB: later rejections keep their code and first issue, shortened, and the answer says issues_truncated; bad rows keep every issue', async () => {
    const writer = createMemoryWriter();
    const body = gzip(batch(wideEvents()));
    expect(body.byteLength).toBeLessThan(64 * 1024);
    const res = await testApp(writer).request('/v1/batch', post(body, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(200);
    const text = await res.text();
    // Uncapped it was 8,863,083 bytes: over Lambda's 6 MB response limit.
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_ISSUES_MAX_BYTES + 500 * 1024);
    const answer = JSON.parse(text) as BatchResponse;
    expect(answer).toMatchObject({ accepted: 0, rejected: 500, retry: 0, issues_truncated: true });
    const rejected = answer.results.map((r) => (r.status === 'rejected' ? r : undefined));
    const full = rejected.filter((r) => r?.issues.length === 20 && r.issues_truncated === undefined);
    const short = rejected.filter((r) => r?.issues_truncated === true);
    expect(full.length + short.length).toBe(500);
    expect(full.length).toBeGreaterThan(0);
    // The full ones come first, then every later one is shortened, still naming its event's field.
    expect(rejected.slice(0, full.length)).toEqual(full);
    const last = rejected[499]!;
    expect(last).toMatchObject({ code: 'invalid_event', issues_truncated: true, issues: [{ code: 'unexpected_property', message: 'unexpected property' }] });
    expect(last.issues).toHaveLength(1);
    expect(last.issues[0]!.path).toMatch(/^events\[499\]\.f0_p+$/);
    const bad = (writer.records.get('events-bad') ?? []).map((r) => decode(r.data));
    expect(bad).toHaveLength(500);
    expect(bad.every((row) => (row.issues as unknown[]).length === 20 && row.issues_truncated === undefined)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(bad[499]!.issues))).toBeLessThanOrEqual(ISSUES_MAX_JSON_BYTES);
  });

  it('a small answer is left as it is (no issues_truncated)', async () => {
    const res = await testApp(createMemoryWriter()).request('/v1/batch', post(batch([event(), event({ seq: -1 })])));
    const answer = (await res.json()) as BatchResponse;
    expect(answer.rejected).toBe(1);
    expect('issues_truncated' in answer).toBe(false);
    expect(answer.results[1]).not.toHaveProperty('issues_truncated');
  });
});
