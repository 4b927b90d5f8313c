import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandler, createMemoryWriter, type BatchResponse, type EventStatus } from '../src';
import { ANSWER_MAX_BYTES, answerBytesBound, carriedBytes, FRONT_END_RESPONSE_MAX_BYTES } from '../src/answer-bound';
import { capAnswer, capMeasured, SHORT_ISSUE_TEXT_MAX_BYTES } from '../src/cap-answer';
import { ISSUES_MAX_JSON_BYTES } from '../src/cap-issues';
import { batch, decode, event, gzip, post, testApp } from './helpers';

/** 500 events, each with 20 unknown top-level fields named by 780 characters (`fill`; the audit's request: `p`, ~48 KB gzipped). */
function wideEvents(fill = 'p', eventId: () => string = randomUUID): Record<string, unknown>[] {
  return Array.from({ length: 500 }, (_, i) => {
    const e: Record<string, unknown> = { event_id: eventId(), type: 'track', event: 'x', anonymous_id: 'd', seq: i, client_ts: new Date().toISOString(), context: {} };
    for (let k = 0; k < 20; k++) e[`f${k}_${fill.repeat(780)}`] = 0;
    return e;
  });
}

type Rejected = Extract<EventStatus, { status: 'rejected' }>;
const rejectedOf = (answer: BatchResponse): Rejected[] => answer.results.map((r) => (r.status === 'rejected' ? r : expect.unreachable(`event ${r.event_id} is ${r.status}`)));
/** 0: the event's issues as its own bound left them; 1: its first issue, shortened (≤ 200 bytes); 2: none. Marked as cut in 1 and 2. */
function tierOf(r: Rejected): 0 | 1 | 2 {
  if (r.issues.length === 0 && r.issues_truncated === true) return 2;
  const shortened = r.issues.length === 1 && r.issues_truncated === true && Buffer.byteLength(r.issues[0]!.path) <= SHORT_ISSUE_TEXT_MAX_BYTES;
  return shortened ? 1 : 0;
}
/** The answer keeps issues first to last: whole, then shortened, then none; never back. */
function expectInOrder(rejected: Rejected[]): [number, number, number] {
  const tiers = rejected.map(tierOf);
  expect(tiers).toEqual([...tiers].sort());
  const count = (tier: number): number => tiers.filter((t) => t === tier).length;
  return [count(0), count(1), count(2)];
}

describe("one answer, all of it, within the smallest front end's response limit", () => {
  it("the audit's request: within the bound, every event's status kept, full issues first, then shortened; bad rows keep every issue", async () => {
    const writer = createMemoryWriter();
    const body = gzip(batch(wideEvents()));
    expect(body.byteLength).toBeLessThan(64 * 1024);
    const res = await testApp(writer).request('/v1/batch', post(body, { 'content-encoding': 'gzip' }));
    expect(res.status).toBe(200);
    const text = await res.text();
    // Uncapped it was 8,863,083 bytes (over Lambda's 6 MB); with only its issues bounded at 1 MiB, ~1.2 MB (over an ALB's 1 MB).
    expect(carriedBytes(text)).toBeLessThanOrEqual(ANSWER_MAX_BYTES);
    const answer = JSON.parse(text) as BatchResponse;
    expect(answer).toMatchObject({ accepted: 0, rejected: 500, retry: 0, issues_truncated: true });
    const rejected = rejectedOf(answer);
    expect(rejected).toHaveLength(500);
    const [whole, shortened, bare] = expectInOrder(rejected);
    expect(whole).toBeGreaterThan(0);
    expect(shortened).toBeGreaterThan(0);
    expect(bare).toBeGreaterThan(0);
    expect(rejected[0]!.issues).toHaveLength(20);
    // A shortened one still names its event's field.
    const short = rejected[whole]!;
    expect(short).toMatchObject({ code: 'invalid_event', issues: [{ code: 'unexpected_property', message: 'unexpected property' }] });
    expect(short.issues[0]!.path).toMatch(new RegExp(`^events\\[${whole}\\]\\.f0_p+$`));
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

describe('the worst cases the configuration allows, through an ALB (1 MB of response JSON, status and headers included)', () => {
  const alb = JSON.parse(readFileSync(new URL('./fixtures/alb-post.json', import.meta.url), 'utf8')) as { headers: Record<string, string>; [field: string]: unknown };
  const context = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', functionName: 'ingest' } as LambdaContext;
  const env = { INGEST_WRITE_KEYS: 'wk_test_123=shop', INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example', INGEST_MAX_DECOMPRESSED_BYTES: String(32 * 1024 * 1024) };
  // With multi-value headers on: the answer's headers come back in their (larger) list form.
  const multiValueHeaders = Object.fromEntries(Object.entries(alb.headers).map(([k, v]) => [k, [v]]));

  async function albResult(handler: ReturnType<typeof createLambdaHandler>, body: string, gzipped: boolean, extraHeaders: Record<string, string[]> = {}) {
    const headers = { ...multiValueHeaders, ...extraHeaders };
    const e = gzipped
      ? { ...alb, headers: undefined, multiValueHeaders: { ...headers, 'content-encoding': ['gzip'] }, body: Buffer.from(gzip(body)).toString('base64'), isBase64Encoded: true }
      : { ...alb, headers: undefined, multiValueHeaders: headers, body, isBase64Encoded: false };
    const result = await handler(e as unknown as LambdaEvent, context);
    expect(result.statusCode).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(FRONT_END_RESPONSE_MAX_BYTES);
    expect(carriedBytes(result.body)).toBeLessThanOrEqual(ANSWER_MAX_BYTES);
    return result;
  }
  async function throughAlb(handler: ReturnType<typeof createLambdaHandler>, body: string, gzipped: boolean) {
    return JSON.parse((await albResult(handler, body, gzipped)).body) as BatchResponse;
  }

  it('our batch: 500 rejected events, each id 64 control characters (the costliest to carry) and 20 issues quoting keys of quotes', async () => {
    const writer = createMemoryWriter();
    const id = '\u0001'.repeat(64);
    const answer = await throughAlb(createLambdaHandler(env, writer), batch(wideEvents('"', () => id)), true);
    expect(answer).toMatchObject({ accepted: 0, rejected: 500, retry: 0, issues_truncated: true });
    const rejected = rejectedOf(answer);
    expect(rejected.map((r) => [r.event_id, r.code])).toEqual(Array.from({ length: 500 }, () => [id, 'invalid_event']));
    const [whole, , bare] = expectInOrder(rejected);
    expect(whole).toBeGreaterThan(0);
    expect(bare).toBeGreaterThan(0);
    expect(writer.records.get('events-bad')).toHaveLength(500);
  });

  it("an app allowing any origin (`*`): an Origin no browser sends is not echoed, so the headers stay within the room kept for them; the request is still accepted", async () => {
    const handler = createLambdaHandler({ ...env, INGEST_ALLOWED_ORIGINS: 'shop=*' }, createMemoryWriter());
    // Ids of 62 control characters: the answer comes within ~120 bytes of its bound (967,115 of 967,232 carried).
    const body = batch(wideEvents('"', () => '\u0001'.repeat(62)));
    // Echoed, these passed the ALB's 1,000,000 bytes (the quotes: 1,000,171): each `"` is carried as 2, and repeated lines come joined with "; ".
    const floods = [['"'.repeat(16 * 1024 - 'origin: '.length)], ['a', 'b', 'c'].map((letter) => letter.repeat(16_000))];
    for (const origin of floods) {
      const result = await albResult(handler, body, true, { origin });
      expect(result.multiValueHeaders).not.toHaveProperty('access-control-allow-origin');
      expect(JSON.parse(result.body)).toMatchObject({ accepted: 0, rejected: 500 });
    }
    const real = await albResult(handler, body, true, { origin: ['https://shop.example'] });
    expect(real.multiValueHeaders?.['access-control-allow-origin']).toEqual(['https://shop.example']);
  });

  it('a Segment batch of INGEST_MAX_SEGMENT_BATCH_EVENTS at its most, every message refused: each keeps its status and code, issues go first to last', async () => {
    const most = 6490;
    const writer = createMemoryWriter();
    const handler = createLambdaHandler({ ...env, INGEST_MAX_SEGMENT_BATCH_EVENTS: String(most) }, writer);
    // No userId or anonymousId: refused by Segment's own rules, one issue each.
    const messages = Array.from({ length: most }, (_, i) => ({ type: 'track', event: 'x', messageId: `m-${i}` }));
    const answer = await throughAlb(handler, JSON.stringify({ batch: messages, sentAt: new Date().toISOString() }), false);
    expect(answer).toMatchObject({ accepted: 0, rejected: most, retry: 0, issues_truncated: true });
    const rejected = rejectedOf(answer);
    expect(rejected).toHaveLength(most);
    expect(new Set(rejected.map((r) => r.event_id)).size).toBe(most);
    expect(rejected.every((r) => r.code === 'invalid_event' && /^[0-9a-f-]{36}$/.test(r.event_id!))).toBe(true);
    // Events with their issue while they fit, then the rest with none, each marked.
    const [whole, shortened, bare] = expectInOrder(rejected);
    expect([whole > 0, shortened, bare > 0]).toEqual([true, 0, true]);
    expect(rejected[0]!.issues).toEqual([{ path: 'batch[0].anonymousId', code: 'required', message: 'userId or anonymousId is required' }]);
    expect(writer.records.get('events-bad')).toHaveLength(most);
  });

  it('one more message than that is refused at start, saying why and how many', () => {
    expect(() => createLambdaHandler({ ...env, INGEST_MAX_SEGMENT_BATCH_EVENTS: '6491' }, createMemoryWriter())).toThrow(
      /INGEST_MAX_SEGMENT_BATCH_EVENTS \(6491\) is more events than one answer can list: .* over the 967232-byte answer bound \(an ALB's 1 MB response limit, less 32768 for its headers\); at most 6490/,
    );
  });
});

describe('the cheap bound: an answer is measured status by status only when the bound cannot show it fits', () => {
  /** Text costly to carry: control characters, lone surrogates, quotes, backslashes, pairs and 3-byte characters. */
  const awkward = ['\u0001', '\ud800', '"', '\\', '😀', '€', 'a', '\n'];
  function text(random: () => number, most: number): string {
    let out = '';
    const length = Math.floor(random() * most);
    for (let i = 0; i < length; i++) out += awkward[Math.floor(random() * awkward.length)]!;
    return out;
  }
  /** A seeded answer of up to 600 events: ids of any text or null, rejected ones with issues of any text, some far past the bound. */
  function randomAnswer(seed: number): BatchResponse {
    let state = seed;
    const random = (): number => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    const issueBytes = [10, 150, 1_000][seed % 3]!;
    const results: EventStatus[] = Array.from({ length: 1 + Math.floor(random() * 600) }, (): EventStatus => {
      const eventId = random() < 0.1 ? null : text(random, 65);
      const pick = random();
      if (pick < 0.3) return { event_id: eventId, status: 'accepted' };
      if (pick < 0.4) return { event_id: eventId, status: 'retry', code: 'queue_unavailable' };
      const issues = Array.from({ length: Math.floor(random() * 4) }, () => ({ path: text(random, issueBytes), code: 'unexpected_property' as const, message: text(random, issueBytes) }));
      return { event_id: eventId, status: 'rejected', code: random() < 0.5 ? 'invalid_event' : 'event_too_large', issues, ...(random() < 0.3 ? { issues_truncated: true as const } : {}) };
    });
    const count = (status: EventStatus['status']): number => results.filter((r) => r.status === status).length;
    return { request_id: randomUUID(), accepted: count('accepted'), rejected: count('rejected'), retry: count('retry'), results };
  }

  it('is an upper bound of the answer as carried, and capAnswer gives what measuring every status gives', () => {
    let measured = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const response = randomAnswer(seed);
      expect(answerBytesBound(response), `seed ${seed}`).toBeGreaterThanOrEqual(carriedBytes(JSON.stringify(response)));
      const exact = capMeasured(response);
      if (exact !== response) measured++;
      const capped = capAnswer(response);
      expect(JSON.stringify(capped), `seed ${seed}`).toBe(JSON.stringify(exact));
      expect(capped === response, `seed ${seed}`).toBe(exact === response);
    }
    // Both kinds were tried: answers left as they are, and answers cut.
    expect(measured).toBeGreaterThan(5);
    expect(measured).toBeLessThan(55);
  });

  it('a 500-event answer with a rejected event and far within the bound is not written out status by status', () => {
    let written = 0;
    const results: EventStatus[] = Array.from({ length: 500 }, (_, i) => {
      const status: EventStatus = i === 0 ? { event_id: randomUUID(), status: 'rejected', code: 'invalid_event', issues: [{ path: 'events[0].seq', code: 'too_small', message: 'must be >= 0' }] } : { event_id: randomUUID(), status: 'accepted' };
      // Counts each time the status itself is turned into JSON (not part of the answer: not enumerable).
      Object.defineProperty(status, 'toJSON', { enumerable: false, value: () => (written++, { ...status }) });
      return status;
    });
    const response: BatchResponse = { request_id: randomUUID(), accepted: 499, rejected: 1, retry: 0, results };
    expect(capAnswer(response)).toBe(response);
    expect(written).toBe(0);
  });
});
