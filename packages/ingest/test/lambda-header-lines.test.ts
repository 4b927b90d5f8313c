import { gzipSync } from 'node:zlib';
import type { LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandler, createMemoryWriter } from '../src';
import { batch, decode, event } from './helpers';
import { LAMBDA_CONTEXT, LAMBDA_TEST_ENV, loadFixture } from './lambda-fixtures';

/**
 * An ALB with multi-value headers (and a REST API) keeps the client's case, so one header can come under
 * two names (`Authorization` and `authorization`). The whole app reads it one way (lambda-event-shape.ts):
 * lines combine as HTTP says, and a single-valued header with lines that differ is 400 `conflicting_header`.
 * Before, Hono's adapter kept the last name's value and the ingest's own reader (`headerOf`) the first.
 */
type AnyEvent = Record<string, unknown> & { headers?: Record<string, string> };

const alb = loadFixture<AnyEvent>('alb-post.json');
const body = batch([event()]);
const OTHER_KEY = `Basic ${Buffer.from('wk_other_456:').toString('base64')}`;
const env = { ...LAMBDA_TEST_ENV, INGEST_WRITE_KEYS: 'wk_test_123=shop,wk_other_456=other' };

/** The fixture's headers as an ALB with multi-value headers sends them, with `lines` added as they are. */
function multiValue(lines: Record<string, string[]>, extra: Partial<AnyEvent> = {}): AnyEvent {
  const given = new Set(['content-type', 'authorization', 'x-forwarded-for']);
  const rest = Object.entries(alb.headers!).filter(([name]) => !given.has(name));
  const multiValueHeaders = { ...Object.fromEntries(rest.map(([k, v]) => [k, [v]])), ...lines };
  return { ...alb, headers: undefined, multiValueHeaders, body, isBase64Encoded: false, ...extra };
}

async function invoke(e: AnyEvent) {
  const writer = createMemoryWriter();
  const result = await createLambdaHandler(env, writer)(e as unknown as LambdaEvent, LAMBDA_CONTEXT);
  const json = JSON.parse(result.body) as { error?: { code: string; message: string }; request_id?: string };
  const stored = (writer.records.get('events') ?? []).map((r) => decode(r.data) as { app_id: string; context: { server: { ip?: string } } });
  return { status: result.statusCode, json, stored };
}

const good = 'Basic d2tfdGVzdF8xMjM6';
const json = ['application/json'];
const xff = ['198.51.100.23'];

describe('Lambda entry (ALB, multi-value headers): one header under two names', () => {
  it('Authorization and authorization with different keys: 400 conflicting_header naming it, nothing stored, whichever comes last', async () => {
    for (const lines of <Record<string, string[]>[]>[
      { Authorization: [good], authorization: [OTHER_KEY] },
      { authorization: [OTHER_KEY], Authorization: [good] },
      { authorization: [good, OTHER_KEY] },
    ]) {
      const answer = await invoke(multiValue({ ...lines, 'content-type': json, 'x-forwarded-for': xff }));
      expect(answer.status).toBe(400);
      expect(answer.json.error).toEqual({ code: 'conflicting_header', message: 'the authorization header came 2 times with different values; it holds one value: send it once' });
      expect(answer.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.stored).toEqual([]);
    }
  });

  it('Content-Type and Content-Encoding with lines that differ: 400 conflicting_header naming each', async () => {
    const type = await invoke(multiValue({ authorization: [good], 'Content-Type': ['text/plain'], 'content-type': json, 'x-forwarded-for': xff }));
    expect(type).toMatchObject({ status: 400, json: { error: { code: 'conflicting_header', message: expect.stringMatching(/^the content-type header came 2 times/) as unknown } }, stored: [] });
    // gzip bytes under `Content-Encoding: identity` and `content-encoding: gzip`: the ingest's body check took the first, the app the last.
    const gzipped = multiValue(
      { authorization: [good], 'content-type': json, 'Content-Encoding': ['identity'], 'content-encoding': ['gzip'], 'x-forwarded-for': xff },
      { body: gzipSync(body).toString('base64'), isBase64Encoded: true },
    );
    expect(await invoke(gzipped)).toMatchObject({ status: 400, json: { error: { code: 'conflicting_header', message: expect.stringMatching(/^the content-encoding header came 2 times/) as unknown } }, stored: [] });
  });

  it('the same value under two names is that value: stored once', async () => {
    const answer = await invoke(multiValue({ Authorization: [good], authorization: [` ${good}`], 'Content-Type': json, 'content-type': json, 'x-forwarded-for': xff }));
    expect(answer).toMatchObject({ status: 200, stored: [{ app_id: 'shop' }] });
  });

  it('X-Forwarded-For under two names: the lines combine in order, so the ALB-appended address is the client (the first name alone was taken)', async () => {
    const answer = await invoke(multiValue({ authorization: [good], 'content-type': json, 'X-Forwarded-For': ['203.0.113.9'], 'x-forwarded-for': ['198.51.100.23'] }));
    expect(answer.status).toBe(200);
    expect(answer.stored.map((s) => s.context.server.ip)).toEqual(['198.51.100.0']);
  });

  it('without multi-value headers the same rule holds for `headers`', async () => {
    const answer = await invoke({ ...alb, headers: { ...alb.headers!, Authorization: OTHER_KEY }, body, isBase64Encoded: false });
    expect(answer).toMatchObject({ status: 400, json: { error: { code: 'conflicting_header' } }, stored: [] });
  });
});
