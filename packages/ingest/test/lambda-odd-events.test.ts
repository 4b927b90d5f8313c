import type { LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandler, createMemoryWriter } from '../src';
import { isForgivingBase64 } from '../src/http/lambda-event-shape';
import { batch, event } from './helpers';
import { LAMBDA_CONTEXT, LAMBDA_TEST_ENV, loadFixture } from './lambda-fixtures';

/**
 * The Lambda entry given odd or hostile events: each built from a fixture shaped as AWS documents its front
 * end's event (the pages are cited in lambda-front-ends.test.ts; there `isBase64Encoded` is a boolean, `body`
 * a string or null, `multiValueHeaders` lists of strings), with one field as a relay, an emulator or a
 * hand-written event may send it. Every answer must be the app's own: JSON with a code and the request id.
 */
type AnyEvent = Record<string, unknown> & { headers?: Record<string, string> | null; multiValueHeaders?: Record<string, unknown> | null };

const load = (name: string): AnyEvent => loadFixture<AnyEvent>(name);
const rest = load('rest-v1-post.json');
const httpV2 = load('apigw-v2-post.json');
const functionUrl = load('function-url-post.json');
const alb = load('alb-post.json');
const context = LAMBDA_CONTEXT;
const env = LAMBDA_TEST_ENV;

async function invoke(e: AnyEvent) {
  const writer = createMemoryWriter();
  const result = await createLambdaHandler(env, writer)(e as unknown as LambdaEvent, context);
  // The answer's headers as one value each, whichever form the front end takes (multi-value when the event was).
  const { headers: single, multiValueHeaders: multi } = result as { headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]> };
  const headers = single ?? Object.fromEntries(Object.entries(multi ?? {}).map(([name, values]) => [name, values.join(', ')]));
  const json = JSON.parse(result.body) as { accepted?: number; error?: { code: string; message: string }; request_id?: string };
  return { status: result.statusCode, json, headers, stored: writer.records.get('events')?.length ?? 0 };
}

const body = batch([event()]);
const base64 = Buffer.from(body).toString('base64');

describe('Lambda events with odd or hostile fields', () => {
  it('a body marked base64 that is not (a character atob refuses) is 400 invalid_encoding, answered by the app, not a bare 500', async () => {
    for (const [front, e] of [['HTTP API', httpV2], ['ALB', alb], ['REST', rest]] as const) {
      const broken = `${base64.slice(0, 40)}!*%${base64.slice(40)}`;
      const answer = await invoke({ ...e, body: broken, isBase64Encoded: true });
      expect(answer.status, front).toBe(400);
      expect(answer.json.error).toMatchObject({ code: 'invalid_encoding', message: expect.stringContaining('not valid base64') as unknown });
      expect(answer.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.stored).toBe(0);
    }
    // Base64 that atob takes (line breaks, no padding) is still read.
    expect(await invoke({ ...httpV2, body: base64.replace(/(.{76})/g, '$1\r\n').replace(/=+$/, ''), isBase64Encoded: true })).toMatchObject({ status: 200, stored: 1 });
  });

  it('isBase64Encoded as the string "false" or "true" is read as that boolean (a string "false" was decoded as base64: a bare 500)', async () => {
    expect(await invoke({ ...rest, body, isBase64Encoded: 'false' })).toMatchObject({ status: 200, stored: 1 });
    expect(await invoke({ ...functionUrl, body, isBase64Encoded: 'FALSE' })).toMatchObject({ status: 200, stored: 1 });
    expect(await invoke({ ...alb, body: base64, isBase64Encoded: 'true' })).toMatchObject({ status: 200, stored: 1 });
  });

  it('an empty or null body is judged as empty whatever Content-Length says (2 MB declared was 413 body_too_large)', async () => {
    for (const empty of ['', null]) {
      const answer = await invoke({ ...functionUrl, headers: { ...functionUrl.headers, 'content-length': '2000000' }, body: empty, isBase64Encoded: false });
      expect(answer).toMatchObject({ status: 400, json: { error: { code: 'invalid_json' } }, stored: 0 });
    }
    const declared = { ...rest.multiValueHeaders, 'Content-Length': ['2000000'] };
    expect(await invoke({ ...rest, headers: { ...rest.headers, 'Content-Length': '2000000' }, multiValueHeaders: declared, body: null })).toMatchObject({ status: 400, json: { error: { code: 'invalid_json' } } });
    // With a body, its own length counts, not the header's, either way.
    for (const length of ['3', '99999999']) expect(await invoke({ ...httpV2, headers: { ...httpV2.headers, 'content-length': length }, body })).toMatchObject({ status: 200, stored: 1 });
  });

  it('multiValueHeaders holding a string where a list belongs is read as a list of one (it was a bare 400 "Invalid request")', async () => {
    const headers = { ...rest.multiValueHeaders, 'X-Amzn-Trace-Id': 'Root=1-674466b2-5c2d1a6f0b8e2c3d4e5f6a7b', Accept: null };
    expect(await invoke({ ...rest, multiValueHeaders: headers, body })).toMatchObject({ status: 200, stored: 1 });
  });

  it('what was already handled: no headers at all, null headers, cookies of any shape, a null body', async () => {
    const missing = { status: 401, json: { error: { code: 'missing_write_key' } } };
    expect(await invoke({ ...httpV2, headers: undefined, body })).toMatchObject(missing);
    expect(await invoke({ ...rest, headers: null, multiValueHeaders: null, body })).toMatchObject(missing);
    expect(await invoke({ ...alb, headers: undefined, body })).toMatchObject(missing);
    expect(await invoke({ ...httpV2, cookies: ['a=1', 'b=2'], body })).toMatchObject({ status: 200, stored: 1 });
    expect(await invoke({ ...httpV2, cookies: 'a=1', body })).toMatchObject({ status: 200, stored: 1 });
    expect(await invoke({ ...alb, body: null })).toMatchObject({ status: 400, json: { error: { code: 'invalid_json' } } });
  });

  it('isForgivingBase64 takes exactly what atob takes', () => {
    const takes = (text: string): boolean => {
      try {
        atob(text);
        return true;
      } catch {
        return false;
      }
    };
    for (const text of ['', 'QQ', 'QQ=', 'QQ==', 'QQ===', 'Q', 'QUJD', 'QU JD\n', 'QU=D', 'QUJD=', 'a-b_', 'QUJ\u00e9', ' Q Q = = ', 'QUI', 'QUI=', 'QQ==QQ==']) expect(isForgivingBase64(text), JSON.stringify(text)).toBe(takes(text));
  });
});
