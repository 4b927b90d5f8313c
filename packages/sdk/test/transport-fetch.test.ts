import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getFetch } from '../src/platform/browser/global-scope';
import { createFetchTransport } from '../src/platform/browser/transport-fetch';

const URL = 'http://ingest.test/v1/batch';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const transport = createFetchTransport(getFetch);

describe('fetch transport', () => {
  it('POSTs the body with the given headers and parses a JSON answer', async () => {
    let seen: { method: string; auth: string | null; body: string } | undefined;
    server.use(
      http.post(URL, async ({ request }) => {
        seen = { method: request.method, auth: request.headers.get('authorization'), body: await request.text() };
        return HttpResponse.json({ request_id: 'r1' });
      }),
    );
    const response = await transport.send(URL, '{"a":1}', { Authorization: 'Basic x' });
    expect(seen).toEqual({ method: 'POST', auth: 'Basic x', body: '{"a":1}' });
    expect(response).toEqual({ status: 200, body: { request_id: 'r1' }, retryAfterMs: undefined });
  });

  it('resolves with non-JSON and empty bodies as undefined, and reads Retry-After', async () => {
    server.use(
      http.post(URL, () => new HttpResponse('<html>Bad gateway</html>', { status: 502, headers: { 'Retry-After': '2' } })),
    );
    expect(await transport.send(URL, '{}', {})).toEqual({ status: 502, body: undefined, retryAfterMs: 2000 });
    server.use(http.post(URL, () => new HttpResponse(null, { status: 204 })));
    expect(await transport.send(URL, '{}', {})).toMatchObject({ status: 204, body: undefined });
  });

  it('rejects on a network error', async () => {
    server.use(http.post(URL, () => HttpResponse.error()));
    await expect(transport.send(URL, '{}', {})).rejects.toThrow();
  });

  it('rejects clearly when the runtime has no fetch', async () => {
    await expect(createFetchTransport(() => undefined).send(URL, '{}', {})).rejects.toThrow(/fetch is not available/);
  });
});
